"""A WSGI (and ASGI) app that leaks: every request to / keeps LEAK_MB more
MiB of private memory for the life of the worker.  /peak holds PEAK_MB for
PEAK_S seconds and frees them (a brief peak).  Each answer names the pid of
the worker that served it and its request count there."""
import os
import time

LEAK = int(float(os.environ.get("LEAK_MB", "4")) * (1 << 20))
PEAK = int(float(os.environ.get("PEAK_MB", "64")) * (1 << 20))
PEAK_S = float(os.environ.get("PEAK_S", "1"))
HELD = []


def _serve(path):
    if path == "/peak":
        block = b"\x01" * PEAK  # written, so resident: private pages of this worker
        time.sleep(PEAK_S)
        del block
        return b"peak %d\n" % os.getpid()
    if path == "/healthz":
        return b"ok\n"
    HELD.append(b"\x01" * LEAK)
    return b"%d %d\n" % (os.getpid(), len(HELD))


def app(environ, start_response):
    body = _serve(environ.get("PATH_INFO", "/"))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = _serve(scope.get("path", "/"))
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
