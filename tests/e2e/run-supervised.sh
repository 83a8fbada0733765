#!/bin/bash
# `deploy-run run PROFILE` supervising the test payload: signal forwarding,
# exit statuses, [run] success_signals, 126/127, [cleanup] kill_timeout, the
# server's signal mask when deploy-run starts with signals blocked or
# ignored, socket activation, [app] user, and the one-line summary.
. "$(dirname "$0")/run-lib.sh"
ulimit -c 0

# --- forwarding: every signal reaches the master once, never its workers
profile fwd '[cleanup]' 'kill_timeout = 5s'
start() {
	: >"$LOG"
	dr_bg fwd -- --payload "$PAYLOAD" "$@" --workers 2 --wait
	wait_for has_lines ' ready$' 3 || fail "the payload did not start"
	MASTER=$(master_pid)
}
send() {  # SIG N: send SIG to deploy-run, wait until the master logged it N times
	kill -"$1" "$SV"
	wait_for has_lines "^$MASTER master SIG$1\$" "$2" || fail "SIG$1 did not reach the master"
}
start
[ "$(awk '{print $4}' "/proc/$MASTER/stat")" = "$SV" ] || fail "the server is not deploy-run's child"
for sig in HUP USR1 USR2 TTIN TTOU WINCH; do send "$sig" 1; done
kill -ALRM "$SV"
kill -PIPE "$SV"
send TERM 1
stopped "$SV"
[ "$rc" = 0 ] || fail "graceful stop gave $rc"
for sig in HUP USR1 USR2 TTIN TTOU WINCH TERM; do
	[ "$(count "^$MASTER master SIG$sig\$")" = 1 ] || fail "SIG$sig reached the master $(count " master SIG$sig\$") times"
done
[ "$(count ' worker SIG')" = 0 ] || fail "a worker got a signal from us: $(grep ' worker SIG' "$LOG")"
[ "$(count 'SIGALRM|SIGPIPE')" = 0 ] || fail "an unlisted signal was forwarded"
all_gone || fail "processes of the run are still alive"
ok "run: HUP USR1 USR2 TTIN TTOU WINCH TERM reach the master once each, its 2 workers none"
for sig in INT QUIT; do
	start --term-status 0
	send "$sig" 1
	stopped "$SV"
	[ "$rc" = 0 ] || fail "SIG$sig stop gave $rc"
	[ "$(count ' worker SIG')" = 0 ] || fail "a worker got SIG$sig from us"
	all_gone || fail "SIG$sig: processes left"
done
ok "run: INT and QUIT forwarded once, to the master only"

# --- exit statuses
profile plain
for n in 0 1 2 3 7 42 64 99 100 125 126 127 128 129 143 200 254 255; do
	dr plain -- --payload "$PAYLOAD" --exit "$n"
	[ "$rc" = "$n" ] || fail "exit $n came back as $rc"
done
ok "run: exit statuses passed through (0 1 2 3 7 42 64 99 100 125 126 127 128 129 143 200 254 255)"
for s in 1 2 3 6 9 10 11 12 13 14 15 24; do
	dr plain -- --payload "$PAYLOAD" --raise "$s"
	[ "$rc" = $((128 + s)) ] || fail "death by signal $s gave $rc"
done
ok "run: death by signal N gives 128+N"

profile mapped '[run]' 'success_signals = TERM, USR1'
dr mapped -- --payload "$PAYLOAD" --raise 15
[ "$rc" = 0 ] || fail "success_signals = TERM: death by SIGTERM gave $rc"
summary | grep -q 'exit 0 (server killed by SIGTERM, counted as success)' || fail "summary: $(summary)"
dr mapped -- --payload "$PAYLOAD" --raise 10
[ "$rc" = 0 ] || fail "success_signals = USR1: death by SIGUSR1 gave $rc"
dr mapped -- --payload "$PAYLOAD" --raise 2
[ "$rc" = 130 ] || fail "success_signals = TERM, USR1 changed SIGINT: $rc"
dr plain -- --payload "$PAYLOAD" --raise 15
[ "$rc" = 143 ] || fail "gunicorn without success_signals: SIGTERM death gave $rc"
ok "run: [run] success_signals maps a signal death to 0, others stay 128+N"

# --- 126 and 127 (the venv's server, and what it executes)
printf 'not a program\n' >"$T/plain"
chmod 644 "$T/plain"
dr plain -- --payload "$T/plain"
[ "$rc" = 126 ] || fail "the server executing a non-executable file gave $rc"
dr plain -- --payload "$T/missing"
[ "$rc" = 127 ] || fail "the server executing a missing file gave $rc"
mkdir -p "$T/bad/.venv/bin" "$T/none/.venv/bin"
printf '#!/bin/sh\n' >"$T/bad/.venv/bin/gunicorn"
chmod 644 "$T/bad/.venv/bin/gunicorn"
for app in bad none; do
	printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\n[checks]\nvenv = off\n' \
		"$T/$app" >"$PROFILES/$app.ini"
done
dr bad
[ "$rc" = 126 ] || fail "a non-executable server gave $rc"
grep -q "server is not executable: $T/bad/.venv/bin/gunicorn" "$T/err" || fail "126: $(cat "$T/err")"
dr none
[ "$rc" = 127 ] || fail "a missing server gave $rc"
grep -q "server not found: $T/none/.venv/bin/gunicorn" "$T/err" || fail "127: $(cat "$T/err")"
# executable bit set but the kernel refuses the file: execve() in the supervisor's child
chmod 755 "$T/bad/.venv/bin/gunicorn"
printf '\177ELF garbage' >"$T/bad/.venv/bin/gunicorn"
dr bad
[ "$rc" = 126 ] || fail "a server the kernel cannot execute gave $rc"
grep -q "cannot execute $T/bad/.venv/bin/gunicorn: Exec format error" "$T/err" || fail "$(cat "$T/err")"
ok "run: 126 for a server that cannot be executed, 127 for one that is missing"

# --- [cleanup] kill_timeout: a server that ignores SIGTERM is killed with its tree
profile stubborn '[cleanup]' 'kill_timeout = 600ms'
: >"$LOG"
dr_bg stubborn -- --payload "$PAYLOAD" --ignore-term --workers 2 --orphan-ignore-term --orphans 2 --wait
killed_after_timeout
summary | grep -q 'killed after the 0.6s kill timeout, 5 processes killed' || fail "summary: $(summary)"
ok "run: SIGTERM ignored: master, 2 workers, 2 orphans killed after ${elapsed}ms"

# --- the server's signal mask and dispositions, whatever deploy-run inherited
# (python blocks or ignores every signal, then executes deploy-run)
with_signals() {  # block|ignore COMMAND...
	exec $PY -c '
import os, signal, sys
how = sys.argv[1]
sigs = set(range(1, signal.NSIG)) - {signal.SIGKILL, signal.SIGSTOP}
if how == "block":
    signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
else:
    for s in sigs:
        try: signal.signal(s, signal.SIG_IGN)
        except (OSError, ValueError): pass
os.execv(sys.argv[2], sys.argv[2:])' "$@"
}
for how in block ignore; do
	: >"$LOG"
	with_signals "$how" "$DEPLOY_RUN" --profiles "$PROFILES" run fwd -- --payload "$PAYLOAD" \
		--report-signals --wait 2>"$T/err" &
	SV=$!
	BG+=("$SV")
	forwards_with_clean_signals "$how"
done
ok "run: started with every signal blocked, then ignored: the server's mask is empty, no signal ignored, forwarding works"

# --- socket activation: LISTEN_FDS passes, LISTEN_PID becomes the server's pid
if command -v systemd-socket-activate >/dev/null; then
	: >"$LOG"
	port=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$port" "$DEPLOY_RUN" --profiles "$PROFILES" run plain \
		-- --payload "$PAYLOAD" --log "$LOG" --report-listen --exit 0 2>"$T/err" &
	SA=$!
	BG+=("$SA")
	connect() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
	wait_for connect || fail "systemd-socket-activate does not listen"
	wait "$SA" || fail "socket-activated run failed: $(cat "$T/err")"
	line=$(grep ' master listen ' "$LOG") || fail "no listen report"
	master=${line%% *}
	[[ $line == *" listen fds=1 pid=$master self=$master fd3=listening" ]] || fail "got '$line'"
	ok "run: under systemd-socket-activate the server gets LISTEN_FDS=1, LISTEN_PID=its pid, fd 3 listening"
else
	echo "# systemd-socket-activate missing: socket activation not run"
fi

# --- [app] user
if [ "$(id -u)" = 0 ]; then
	uid=$(id -u nobody) gid=$(id -g nobody)
	profile asnobody '[app]' 'user = nobody'
	: >"$LOG"
	dr asnobody -- --payload "$PAYLOAD" --report-ids --exit 0
	[ "$rc" = 0 ] || fail "as nobody gave $rc: $(cat "$T/err")"
	[ "$(count " ids uid=$uid gid=$gid groups=$gid\$")" = 1 ] || fail "not dropped: $(cat "$LOG")"
	: >"$LOG"
	# its control socket in a runtime directory of the test's, not /tmp/deploy-run-UID
	install -d -m 0700 -o "$uid" -g "$gid" "$T/run-nobody"
	setpriv --reuid="$uid" --regid="$gid" --clear-groups env XDG_RUNTIME_DIR="$T/run-nobody" \
		"$DEPLOY_RUN" --profiles "$PROFILES" run asnobody -- --payload "$PAYLOAD" --report-ids \
		--exit 0 2>"$T/err" || fail "nobody running a profile for nobody: $(cat "$T/err")"
	[ "$(count " ids uid=$uid gid=$gid ")" = 1 ] || fail "nobody to nobody: $(cat "$LOG")"
	ok "run: [app] user = nobody: root drops to uid $uid gid $gid; already nobody: no switch"
	profile ghost '[app]' 'user = no-such-user-x'
	: >"$LOG"
	dr ghost -- --payload "$PAYLOAD" --report-ids --exit 0
	[ "$rc" = 125 ] || fail "unknown user gave $rc"
	grep -q "ghost.ini:[0-9]*: error: unknown user 'no-such-user-x'" "$T/err" ||
		fail "no clear message: $(cat "$T/err")"
	[ ! -s "$LOG" ] || fail "the server ran for an unknown user"
	ok "run: unknown [app] user: 125, nothing started: $(grep -m1 no-such-user-x "$T/err")"
else
	echo "# not root: [app] user not run"
fi

# --- the one-line summary; no secret in anything deploy-run prints
profile secret '[vars]' 'API_TOKEN = s3cr3t-t0ken-value' '[env]' 'secrets = *_TOKEN' \
	'[cleanup]' "pid_file = $T/s.pid"
dr secret -- --payload "$PAYLOAD" --report-env API_TOKEN --pid-file "$T/s.pid" --exit 3
[ "$rc" = 3 ] || fail "gave $rc"
grep -q 'env API_TOKEN=s3cr3t-t0ken-value' "$LOG" || fail "the server did not get the secret"
[ "$(grep -c '^deploy-run: exit ' "$T/err")" = 1 ] || fail "not one summary line: $(cat "$T/err")"
summary | grep -qE "^deploy-run: exit 3 \(server exited with status 3\) after [0-9.]+s, peak RSS [0-9.]+ (KiB|MiB), cleaned: pid file $T/s.pid \([0-9]+ B\)\$" ||
	fail "unexpected summary: $(summary)"
! grep -q 's3cr3t' "$T/err" || fail "a secret in deploy-run's output: $(cat "$T/err")"
ok "run: summary '$(summary)', no secret printed"

# --- [cleanup] prometheus_dir is exported; a segment that an unrelated process
# of the same uid creates during the run (and closes before the run ends) is
# kept, while the server's own leak is removed
profile prom '[cleanup]' "prometheus_dir = $T/prom"
tag=drrun$$
: >"$LOG"
dr_bg prom -- --payload "$PAYLOAD" --report-env PROMETHEUS_MULTIPROC_DIR --shm "/${tag}_ours:2048" --wait
wait_for has_lines ' ready$' 1 || fail "no start"
$PY -c '
import os, sys, time, _posixshmem
fd = _posixshmem.shm_open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 4096)
time.sleep(0.3)
os.close(fd)' "/${tag}_unrelated"
kill -TERM "$SV"
stopped "$SV"
[ "$rc" = 0 ] || fail "gave $rc"
[ "$(count " env PROMETHEUS_MULTIPROC_DIR=$T/prom\$")" = 1 ] || fail "PROMETHEUS_MULTIPROC_DIR: $(cat "$LOG")"
[ -d "$T/prom" ] || fail "the Prometheus directory was not created"
[ ! -e "/dev/shm/${tag}_ours" ] || fail "the server's segment was not removed"
[ -e "/dev/shm/${tag}_unrelated" ] || fail "the segment of an unrelated process was removed: $(summary)"
summary | grep -qF "shm /dev/shm/${tag}_ours (2.0 KiB)" || fail "summary: $(summary)"
! summary | grep -q unrelated || fail "summary names the unrelated segment: $(summary)"
rm -f "/dev/shm/${tag}_unrelated" "/dev/shm/${tag}_ours"
ok "run: PROMETHEUS_MULTIPROC_DIR exported; the server's leak removed, an unrelated process's segment made during the run kept"
