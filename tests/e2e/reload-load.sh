#!/bin/bash
# About 30 s of continuous loopback load (one sequential and three concurrent
# clients, a new connection per request) on gunicorn 20.1 with preload, and
# `deploy-run reload` every 5 s, each to a new version: every reload exits 0,
# no request fails (the target: 0 failed, printed with the count), the
# answers end on the last version, no process of an old generation is left.
# The argument picks the way: usr2 (preload) or hup.  Suite `long`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reload-lib.sh"

SECONDS_OF_LOAD=${RELOAD_LOAD_SECONDS:-30}
EVERY=5

# run_load NAME PROFILE-LINES...: starts NAME, loads it, reloads every $EVERY s
run_load() {
	local name=$1 port
	shift
	port=$(free_port)
	version r0
	reload_profile "$name" "$port" "$@"
	start "$name"
	local first_master seen_masters="" n=0 bad=0 t0 v
	first_master=$(master "$pid")
	load_start "$name" "$port"
	t0=$(date +%s%N)
	# reload N starts N * $EVERY s into the load (or at once when the last one took longer)
	while [ $(((n + 1) * EVERY)) -le "$SECONDS_OF_LOAD" ]; do
		n=$((n + 1))
		while [ "$(date +%s%N)" -lt $((t0 + n * EVERY * 1000000000)) ]; do sleep 0.05; done
		v=r$n
		version "$v"
		seen_masters="$seen_masters $(master "$pid") $(tree "$(master "$pid")")"
		reload "$name"
		[ "$rc" = 0 ] || { bad=$((bad + 1)); echo "reload $n: exit $rc" >&2; cat "$T/err" >&2; }
	done
	sleep 1
	load_stop "$name"
	local req failed
	req=$(load_get "$name" 'd["requests"]')
	failed=$(load_get "$name" 'd["failed"]')
	echo "$name: ${SECONDS_OF_LOAD}s of load, $n reloads, $req requests, $failed failed" \
		"($(load_get "$name" '" ".join("%s=%d" % kv for kv in sorted(d["statuses"].items()))'))"
	check "$name: every reload exited 0 ($bad did not)" [ "$bad" = 0 ]
	check "$name: no request failed ($failed of $req: $(load_get "$name" 'd["errors"][:3]'))" \
		[ "$failed" = 0 ]
	# with USR2 both generations answer while the new one is gated: the
	# versions appear in order, and the last one is where it ends
	check "$name: the sequential client saw r0..r$n appear in order, ending on r$n" \
		[ "$(load_get "$name" '",".join(dict.fromkeys(d["sequence"]))')" = "$(seq -s, -f 'r%g' 0 "$n")" ] &&
		[ "$(load_get "$name" 'd["sequence"][-1]')" = "r$n" ]
	check "$name: the answers are r$n at the end ($(answers "$port" 4))" \
		[ "$(answers "$port" 4)" = "r$n=4 " ]
	local current
	current=" $(master "$pid") $(tree "$(master "$pid")") "
	local p left=""
	for p in $seen_masters; do
		case "$current" in *" $p "*) continue ;; esac
		kill -0 "$p" 2>/dev/null && left="$left $p"
	done
	check "$name: no process of an old generation left ($left)" [ -z "$left" ]
	kill -TERM "$pid"
	set +e; wait "$pid"; rc=$?; set -e
	check "$name: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]
}

case ${1:-usr2} in
usr2) run_load usr2 '[server]' 'preload = true' ;;
hup) run_load hup ;;
*) echo "usage: reload-load.sh usr2|hup" >&2; exit 2 ;;
esac
finish
