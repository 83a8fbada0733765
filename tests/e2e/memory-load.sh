#!/bin/bash
# The worker memory ceiling under 30 s of loopback load (suite long): gunicorn
# 20.1, 2 workers, the leaking app (1 MiB kept per request), a ceiling a few
# requests above a worker's boot size.  A sequential client and 2 concurrent
# ones: every request is answered 200, at least one worker is recycled, once
# the load stops no worker stays above the ceiling plus one request's growth,
# and status and the exit summary count the recycles that were logged.
# MODE: plain, preload ([server] preload = true), pid1 (deploy-run as PID 1
# under unshare --pid --fork --mount-proc).
MODE=${1:-plain}
. "$(dirname "$0")/memory-lib.sh"
export LEAK_MB=1
lines=("max_worker_memory = 16M" "max_worker_memory_for = 0" "memory_interval = 250ms")
[ "$MODE" = preload ] && lines+=("preload = true")
leak_profile m "${lines[@]}"
if [ "$MODE" = pid1 ]; then
	command -v unshare >/dev/null || skip "no unshare"
	unshare --pid --fork --mount-proc "$DEPLOY_RUN" --profiles "$PROFILES" run m 2>"$T/err" &
	SV=$!
	BG+=("$SV")
else
	dr_bg m
fi
wait_long ready_workers m 2 || fail "not ready: $(cat "$T/err")"
[ "$MODE" != pid1 ] || [ "$(sget 'd["supervisor_pid"]')" = 1 ] || fail "pid1: supervisor is $(sget 'd["supervisor_pid"]')"
load 30 2 0.03
[ "$(lget 'd["failures"]')" = 0 ] && [ "$(lget 'list(d["status"])')" = "['200']" ] ||
	fail "$MODE: not every request answered 200: $(cat "$T/load.json")"
n=$(recycles)
[ "$n" -ge 1 ] || fail "$MODE: no worker recycled: $(cat "$T/err")"
wait_long all_under m $((17 << 20)) || fail "$MODE: a worker stays above the ceiling + 1 MiB: $(cat "$T/st.json")"
n=$(recycles)
st m
# status counts what had ended when it answered: the log's lines then, or one more
# when a recycle ended between the two reads
sn=$(sget 'd["recycled"]')
[ "$sn" -ge "$n" ] && [ "$sn" -le $((n + 1)) ] || fail "$MODE: status says $sn recycled, the log $n"
if [ "$MODE" = pid1 ]; then
	# unshare does not pass SIGTERM on: the supervisor is its child
	kill -TERM "$(awk '{print $1}' "/proc/$SV/task/$SV/children")"
else
	kill -TERM "$SV"
fi
stopped "$SV"
[ "$rc" = 0 ] || fail "$MODE: exit $rc"
# a recycle under way when status answered ends before the stop: count the log again
n=$(recycles)
summary | grep -q ", $n workers\? recycled," || fail "$MODE: summary: $(summary), the log $n"
ok "$MODE: $(lget 'd["requests"]') requests in 30 s all 200, $n recycles (status and summary agree), every worker under ceiling + 1 MiB after"
