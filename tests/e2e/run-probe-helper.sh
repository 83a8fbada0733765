#!/bin/bash
# The supervisor's loop never blocks on a health probe: a probe libcurl must
# make (an https URL, redirects followed) runs in a helper process
# (launcher/probe-async.h).  Against an https endpoint that accepts and never
# answers, signals sent to deploy-run while the probe hangs reach the server
# at once (latency measured, far below the probe's timeout), a stop is not
# delayed by it, the supervisor never maps libcurl (the helper does), and the
# helper is neither counted as an orphan nor left behind.
. "$(dirname "$0")/run-lib.sh"

# an endpoint that accepts connections and never says a word (a hung TLS server)
HANG_PORT_FILE=$T/hang.port
$PY - "$HANG_PORT_FILE" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
__import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1])
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
EOF
BG+=("$!")
wait_for test -s "$HANG_PORT_FILE" || fail "the hanging endpoint did not start"
HANG_PORT=$(cat "$HANG_PORT_FILE")

profile hang '[health]' "url = https://127.0.0.1:$HANG_PORT/healthz" 'timeout = 20s' \
	'connect_timeout = 20s' 'start_timeout = 60s' '[cleanup]' 'kill_timeout = 10s'
: >"$LOG"
dr_bg hang -- --payload "$PAYLOAD" --wait
wait_for has_lines ' ready$' 1 || fail "the payload did not start"
MASTER=$(master_pid)
# the helper: a child of deploy-run other than the server, mapping libcurl
helper=
for ((i = 0; i < 500; i++)); do
	for c in $(cat /proc/"$SV"/task/*/children 2>/dev/null); do
		[ "$c" != "$MASTER" ] && grep -q libcurl "/proc/$c/maps" 2>/dev/null && helper=$c
	done
	[ -n "$helper" ] && break
	sleep 0.02
done
[ -n "$helper" ] || fail "no probe helper mapping libcurl appeared"
ok "https probe: runs in a helper process ($helper) that maps libcurl"
! grep -q libcurl "/proc/$SV/maps" || fail "the supervisor maps libcurl"
ok "https probe: the supervisor itself does not map libcurl"

# forwarding latency while the probe hangs (it would take 20 s in the loop)
lat=$($PY - "$SV" "$LOG" "$MASTER" <<'EOF'
import os, signal, sys, time
sv, log, master = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def n():
    with open(log) as f:
        return sum(1 for l in f if l.split()[:3] == [master, "master", "SIGUSR1"])
out = []
for i in range(20):
    before = n()
    t0 = time.monotonic()
    os.kill(sv, signal.SIGUSR1)
    while n() == before:
        if time.monotonic() - t0 > 15:
            print("timeout")
            sys.exit(0)
        time.sleep(0.0005)
    out.append((time.monotonic() - t0) * 1000)
out.sort()
print("%.2f %.2f %.2f" % (out[len(out) // 2], out[-1], max(out)))
EOF
)
read -r median worst _ <<<"$lat"
[ "$median" != timeout ] || fail "SIGUSR1 was not forwarded within 15 s while the probe hung"
# the bound is the probe's timeout (20 s), by far: a loop blocked by the probe cannot meet it
awk -v w="$worst" 'BEGIN { exit !(w < 5000) }' || fail "forwarding took ${worst} ms while a probe hung"
ok "https probe hanging: 20 SIGUSR1 forwarded, median ${median} ms, worst ${worst} ms (probe timeout 20 s)"
alive "$helper" || fail "the helper ended before its probe timed out"

start=$(date +%s%N)
kill -TERM "$SV"
stopped "$SV"
took=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 0 ] || fail "TERM during the probe: exit $rc"
[ "$took" -lt 10000 ] || fail "the stop waited for the probe (${took} ms)"
gone "$helper" || fail "the probe helper $helper is still alive"
! summary | grep -q orphan || fail "the helper counted as an orphan: $(summary)"
ok "TERM during the probe: exit 0 in ${took} ms, helper gone, no orphan counted"

# a redirect followed: ready through the helper, the supervisor still without libcurl
RPORT_FILE=$T/redir.port
$PY - "$RPORT_FILE" <<'EOF' &
import http.server, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/target":
            self.send_response(302)
            self.send_header("Location", "/target")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
BG+=("$!")
wait_for test -s "$RPORT_FILE" || fail "the redirecting endpoint did not start"
profile redir '[health]' "url = http://127.0.0.1:$(cat "$RPORT_FILE")/healthz" \
	'follow_redirects = true' 'start_timeout = 30s'
: >"$LOG"
dr_bg redir -- --payload "$PAYLOAD" --wait
wait_for grep -q "ready: http://127.0.0.1:[0-9]*/healthz answered 200" "$T/err" ||
	fail "not ready through a followed redirect"
! grep -q libcurl "/proc/$SV/maps" || fail "the supervisor maps libcurl after a redirect probe"
ok "redirect followed: ready through the helper; the supervisor does not map libcurl"
kill -TERM "$SV"
stopped "$SV"
[ "$rc" = 0 ] || fail "redirect: exit $rc"
! summary | grep -q orphan || fail "a helper counted as an orphan: $(summary)"
all_gone || fail "processes of the run are still alive"
ok "redirect: exit 0, nothing left, no orphan counted"
