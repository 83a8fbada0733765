#!/bin/bash
# Socket activation: LISTEN_FDS passes through, LISTEN_PID becomes the
# server's pid, and fd 3 reaches the server still listening.
. "$(dirname "$0")/supervisor-lib.sh"

check() {
	local line master
	line=$(grep ' master listen ' "$LOG") || fail "$1: no report"
	master=${line%% *}
	[[ $line == *" listen fds=1 pid=$master self=$master fd3=listening" ]] ||
		fail "$1: got '$line'"
	ok "$1: LISTEN_FDS=1, LISTEN_PID rewritten to the server's pid, fd 3 listening"
}

# a harness that does what systemd does: a listening socket on fd 3, then
# execve() of the supervisor with LISTEN_PID set to its (unchanged) pid
/usr/bin/python3 - "$SUPERVISE" "$PAYLOAD" <<'PY'
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execve(sys.argv[1], [sys.argv[1], "-q", "--", sys.argv[2], "--report-listen", "--exit", "0"], env)
PY
check "harness"

# LISTEN_PID naming another process is left alone (the fds were not ours)
: >"$LOG"
LISTEN_FDS=1 LISTEN_PID=1 "$SUPERVISE" -q -- "$PAYLOAD" --report-env LISTEN_PID --exit 0 3</dev/null
[ "$(count ' env LISTEN_PID=1$')" = 1 ] || fail "a foreign LISTEN_PID was rewritten"
ok "LISTEN_PID of another process passes unchanged"

if command -v systemd-socket-activate >/dev/null; then
	: >"$LOG"
	port=$((20000 + RANDOM % 20000))
	systemd-socket-activate -l "127.0.0.1:$port" "$SUPERVISE" -q -- "$PAYLOAD" --log "$LOG" \
		--report-listen --exit 0 2>"$T/err" &
	SA=$!
	BG+=("$SA")
	connect() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
	wait_for connect || fail "systemd-socket-activate does not listen"
	wait "$SA" || fail "systemd-socket-activate run failed: $(cat "$T/err")"
	check "systemd-socket-activate"
fi
