#!/usr/bin/python3
"""A loopback client that keeps a server busy, for the reload tests.

    http-load.py URL STOPFILE OUT [--concurrency N] [--max-seconds S] [--max-requests N]

One sequential client (each request sent the moment the previous answer came
back) and N-1 concurrent ones, each request on a new connection, as a load
balancer without keep-alive does, until STOPFILE exists, S seconds passed or N
requests were sent (bounds: the tests never run unbounded).  The answer's
first word is the version the app names.  OUT gets a JSON summary:

    {"requests", "failed", "statuses": {"200": N}, "versions": {"v1": N},
     "sequence": ["v1", "v2"]   (the versions in the order the sequential client saw them, runs collapsed),
     "errors": ["...", ...]     (the first 20), "seconds",
     "latency_ms": {"p50", "p99", "max"}   (of the answered requests),
     "outage_s"   (how long the sequential client saw only failures: from a
                   failure to the next answer, summed)}

"started" is written to OUT + ".started" once the first answer came back.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main():
    args = sys.argv[1:]
    url, stopfile, out = args[0], args[1], args[2]
    opts = dict(zip(args[3::2], args[4::2]))
    concurrency = int(opts.get("--concurrency", "4"))
    max_seconds = float(opts.get("--max-seconds", "120"))
    max_requests = int(opts.get("--max-requests", "1000000"))
    u = urllib.parse.urlsplit(url)
    path = u.path or "/"
    lock = threading.Lock()
    state = {"requests": 0, "failed": 0, "statuses": {}, "versions": {}, "sequence": [],
             "errors": []}
    latencies = []
    outage = {"since": None, "total": 0.0}
    t0 = time.monotonic()
    started = threading.Event()

    def done():
        return (os.path.exists(stopfile) or time.monotonic() - t0 > max_seconds
                or state["requests"] >= max_requests)

    def one(sequential):
        status, version, error = None, None, None
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.request("GET", path, headers={"Connection": "close"})
            r = c.getresponse()
            body = r.read().decode("utf-8", "replace")
            c.close()
            status = r.status
            version = body.split()[0] if body.split() else ""
        except Exception as e:  # refused, reset, timeout: all failures
            error = "%s: %s" % (type(e).__name__, e)
        t = time.monotonic() - t
        with lock:
            state["requests"] += 1
            if status is not None:
                latencies.append(t)
            if status is not None:
                state["statuses"][str(status)] = state["statuses"].get(str(status), 0) + 1
            if sequential:
                now = time.monotonic()
                if status == 200 and outage["since"] is not None:
                    outage["total"] += now - outage["since"]
                    outage["since"] = None
                elif status != 200 and outage["since"] is None:
                    outage["since"] = now - t
            if status == 200:
                state["versions"][version] = state["versions"].get(version, 0) + 1
                if sequential and (not state["sequence"] or state["sequence"][-1] != version):
                    state["sequence"].append(version)
                if not started.is_set():
                    started.set()
                    open(out + ".started", "w").close()
            else:
                state["failed"] += 1
                if len(state["errors"]) < 20:
                    state["errors"].append(error or "status %s" % status)

    def loop(sequential):
        while not done():
            one(sequential)

    threads = [threading.Thread(target=loop, args=(i == 0,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    state["seconds"] = round(time.monotonic() - t0, 2)
    if outage["since"] is not None:
        outage["total"] += time.monotonic() - outage["since"]
    state["outage_s"] = round(outage["total"], 3)
    latencies.sort()
    if latencies:
        state["latency_ms"] = {
            "p50": round(latencies[len(latencies) // 2] * 1000, 2),
            "p99": round(latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] * 1000, 2),
            "max": round(latencies[-1] * 1000, 2)}
    with open(out + ".tmp", "w") as f:
        json.dump(state, f)
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main()
