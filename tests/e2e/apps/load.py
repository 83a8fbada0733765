"""Loopback load for the memory ceiling tests: SECONDS of requests to
http://127.0.0.1:PORT/PATH, one sequential client (a pause of PAUSE seconds
after each answer) and THREADS concurrent ones (the same pause), each
request on a new connection.  Usage: load.py PORT SECONDS THREADS [PAUSE [PATH]].  Prints one JSON line: the count of requests, of
answers by status, of failures (refused, reset, timed out) with the first
few reasons, and the distinct worker pids that answered."""
import http.client
import json
import sys
import threading
import time

port, seconds, threads = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
path = sys.argv[5] if len(sys.argv) > 5 else "/"
lock = threading.Lock()
stats = {"requests": 0, "status": {}, "failures": 0, "reasons": [], "pids": set()}
end = time.monotonic() + seconds


def client(pause):
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            c.close()
            with lock:
                stats["requests"] += 1
                stats["status"][r.status] = stats["status"].get(r.status, 0) + 1
                if r.status == 200 and body.split()[:1]:
                    stats["pids"].add(body.split()[0].decode())
        except Exception as e:  # refused, reset, timeout: all failures
            with lock:
                stats["requests"] += 1
                stats["failures"] += 1
                if len(stats["reasons"]) < 5:
                    stats["reasons"].append(repr(e))
        if pause:
            time.sleep(pause)


workers = [threading.Thread(target=client, args=(pause,)) for _ in range(threads + 1)]
for t in workers:
    t.start()
for t in workers:
    t.join()
stats["pids"] = sorted(stats["pids"])
print(json.dumps(stats))
