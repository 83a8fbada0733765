# Helpers of the health-*.sh scripts: source after lib.sh.  $P: a directory for
# the profiles.
P=$T/profiles
mkdir -p "$P"

# notify_listen NAME: a python AF_UNIX SOCK_DGRAM receiver bound to $T/NAME.sock that
# appends each message to $T/NAME.log as "EPOCH_SECONDS MSG" with "|" for newlines.
notify_listen() {
	local sock=$T/$1.sock log=$T/$1.log
	: >"$log"
	$PY - "$sock" "$log" <<'PYEOF' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    m = s.recv(65536).decode()
    out.write("%.6f %s\n" % (time.time(), m.replace("\n", "|")))
PYEOF
	at_exit "kill $! 2>/dev/null"
	local i
	for i in $(seq 1 100); do [ -S "$sock" ] && return 0; sleep 0.02; done
	return 1
}

# wait_for FILE TEXT SECONDS: waits until FILE contains TEXT.
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 20))); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

# fake_app DIR KIND: a venv-less app whose bin/gunicorn is a python stand-in that
# parses --bind like gunicorn and behaves as KIND says:
#   sleep (never listens), 500 (answers 500), crash (exits 3 at once),
#   hang (accepts, never answers), ok (answers 200), slow (listens after 0.5 s, then ok),
#   redirect (302 to /target for every other path, 200 there)
fake_app() {
	local dir=$1 kind=$2
	mkdir -p "$dir/.venv/bin"
	cat >"$dir/.venv/bin/gunicorn" <<PYEOF
#!/usr/bin/python3
import http.server, os, signal, socket, socketserver, sys, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
kind = "$kind"
bind = sys.argv[sys.argv.index("--bind") + 1]
if kind == "crash":
    print("stand-in: cannot import the app", file=sys.stderr)
    sys.exit(3)
if kind == "sleep":
    time.sleep(3600)
if kind == "slow":
    time.sleep(0.5)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if kind == "redirect" and self.path != "/target":
            self.send_response(302)
            self.send_header("Location", "/target")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        code = 500 if kind == "500" else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
if bind.startswith("unix:"):
    class S(socketserver.UnixStreamServer):
        def get_request(self):
            r, _ = super().get_request()
            return r, ("local", 0)
    srv = S(bind[5:], H)
else:
    host, port = bind.rsplit(":", 1)
    srv = http.server.HTTPServer((host.strip("[]"), int(port)), H)
if kind == "hang":
    conns = []
    while True:
        c, _ = srv.socket.accept()
        conns.append(c)
srv.serve_forever()
PYEOF
	chmod 755 "$dir/.venv/bin/gunicorn"
}

# example_profile FILE [LINES...]: a profile for the example app (its WSGI entry,
# .env and .env.development), the given lines after [app] and [env].
example_profile() {
	local file=$1
	shift
	{
		printf '[app]\nroot = %s\nmodule = webapp.wsgi:app\n' "$SOURCE_ROOT/example"
		printf '[env]\nfiles = .env, .env.development\n'
		printf '%s\n' "$@"
	} >"$file"
}

# fake_profile FILE APPDIR BIND [HEALTH LINES...]: a profile for fake_app, preflight off.
fake_profile() {
	local file=$1 app=$2 bind=$3
	shift 3
	{
		printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\n' "$app"
		printf '[checks]\nvenv = off\nenv = off\nreq = off\npath = off\nserver = off\n'
		printf '[server]\nbind = %s\n[health]\n' "$bind"
		printf '%s\n' "$@"
	} >"$file"
}
