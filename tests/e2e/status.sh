#!/bin/bash
# `deploy-run status PROFILE`: the supervisor's control socket, through the
# built binary.  Real gunicorn (the example app, 2 workers): every field of
# the JSON answer checked against /proc; the text form; the socket's mode,
# owner and removal at exit.  With the payload as server: not running (3),
# another uid refused (the mode, and SO_PEERCRED when the mode is opened),
# a stale socket after SIGKILL replaced, a second run of the same profile
# refused, two profiles at once each with its own socket, control_socket =
# off, something that is not a socket left alone.
. "$(dirname "$0")/run-lib.sh"
example_venv

st() {  # st PROFILE [ARGS]: status to $T/st.out / $T/st.err, status in $src
	src=0
	"$DEPLOY_RUN" --profiles "$PROFILES" status "$@" >"$T/st.out" 2>"$T/st.err" || src=$?
}
jget() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/st.out" "$1"; }
# sock_of PID: the path of the unix socket that process PID listens on
sock_of() {
	local fd ino
	for fd in /proc/"$1"/fd/*; do
		ino=$(readlink "$fd" 2>/dev/null) || continue
		case $ino in socket:*) ino=${ino#socket:[}; ino=${ino%]} ;; *) continue ;; esac
		awk -v i="$ino" '$7 == i && $8 != "" {print $8}' /proc/net/unix
	done | head -n1
}
SOCKS=()
trap 'rc=$?; rm -f "${SOCKS[@]}"; (exit $rc); finish' EXIT
answers() { st "$@" && [ "$src" = 0 ]; }

# ---- a real gunicorn ----
example_server_profile g gunicorn webapp.wsgi:app '[health]' 'path = /healthz'
dr_bg g
ready() { answers g --format json && [ "$(jget 'd["ready"]')" = True ] &&
	[ "$(jget 'len(d["workers"])')" = 2 ]; }
wait_for ready || fail "status never said ready with 2 workers: $(cat "$T/st.out" "$T/st.err")"
# a worker's memory grows while it boots: compare with /proc once both have settled
sleep 3
answers g --format json || fail "status after 3 s: $(cat "$T/st.out" "$T/st.err")"
master=$(awk '{print $1}' "/proc/$SV/task/$SV/children")
$PY - "$T/st.out" "$SV" "$master" "$PROFILES/g.ini" <<'EOF' || fail "status JSON against /proc: $(cat "$T/st.out")"
import json, os, sys, time
d = json.load(open(sys.argv[1]))
sv, master = int(sys.argv[2]), int(sys.argv[3])
keys = ["profile", "running", "supervisor_pid", "server", "server_pid", "uptime_s", "ready",
        "recycled", "workers"]
assert list(d) == keys, list(d)
assert d["profile"] == "g" and d["running"] is True and d["server"] == "gunicorn", d
assert d["supervisor_pid"] == sv, (d["supervisor_pid"], sv)
assert d["server_pid"] == master, (d["server_pid"], master)
assert d["recycled"] == 0 and d["ready"] is True
hz = os.sysconf("SC_CLK_TCK")
boot = time.clock_gettime(time.CLOCK_BOOTTIME)
def age(pid):
    f = open(f"/proc/{pid}/stat").read()
    return boot - int(f[f.rindex(")") + 2:].split()[19]) / hz
assert 0 <= d["uptime_s"] <= age(master) + 1, (d["uptime_s"], age(master))
kids = sorted(int(p) for t in os.listdir(f"/proc/{master}/task")
              for p in open(f"/proc/{master}/task/{t}/children").read().split())
assert sorted(w["pid"] for w in d["workers"]) == kids, (d["workers"], kids)
for w in d["workers"]:
    assert list(w) == ["pid", "memory_bytes", "age_s"], w
    roll = {l.split(":")[0]: int(l.split()[1]) * 1024
            for l in open(f"/proc/{w['pid']}/smaps_rollup").read().splitlines()[1:]}
    uss = roll["Private_Clean"] + roll["Private_Dirty"] + roll["SwapPss"]
    # an idle worker's own memory: the same within 10 % a moment later, and not its RSS
    assert abs(w["memory_bytes"] - uss) <= uss / 10, (w, uss)
    assert w["memory_bytes"] < roll["Rss"], (w, roll["Rss"])
    assert 0 <= w["age_s"] <= age(w["pid"]) + 1 and w["age_s"] <= d["uptime_s"] + 1, w
EOF
golden() {  # the answer with its pids and measures replaced, against tests/golden/status/$1
	sed -E 's/"(pid|supervisor_pid|server_pid)": [0-9]+/"\1": PID/g; s/"(uptime_s|memory_bytes|age_s)": [0-9]+/"\1": N/g' \
		"$T/st.out" | diff -u "$SOURCE_ROOT/tests/golden/status/$1" - >&2
}
golden running.json || fail "status --format json differs from tests/golden/status/running.json"
ok "status --format json: every field matches /proc (supervisor $SV, master $master, workers' USS and age)"

sock=$(sock_of "$SV")
SOCKS+=("$sock")
[ -S "$sock" ] || fail "no socket under /run/deploy-run for g"
[ "$(stat -c %a:%u "$sock")" = 600:0 ] || fail "socket mode/owner $(stat -c %a:%u "$sock")"
st g
[ "$src" = 0 ] || fail "status (text) exited $src"
grep -qE "^profile: +g$" "$T/st.out" && grep -qE "^server: +gunicorn, pid $master, up " "$T/st.out" &&
	grep -qE "^supervisor: +$SV$" "$T/st.out" && grep -qE "^workers: +2, " "$T/st.out" ||
	fail "status text: $(cat "$T/st.out")"
# aligned: the values of the key lines start in one column
[ "$(grep -E '^[a-z]+: ' "$T/st.out" | awk '{ match($0, /: +/); print RSTART + RLENGTH }' | sort -u | wc -l)" = 1 ] ||
	fail "status text not aligned: $(cat "$T/st.out")"
ok "status (text): aligned, names the server's pid and the workers; socket $sock is 0600 root's"

# a second run of the same profile is refused before it starts anything
dr g
[ "$rc" = 125 ] && grep -q "already running this profile (pid $SV" "$T/err" ||
	fail "second run of g: rc $rc: $(cat "$T/err")"
ok "a second run of the same profile is refused (125), naming the running supervisor"

kill -TERM "$SV"
stopped "$SV"
[ "$rc" = 0 ] || fail "gunicorn stop: $rc"
[ ! -e "$sock" ] || fail "the socket $sock is left after exit: $(ls -li /run/deploy-run)"
st g
[ "$src" = 3 ] && grep -q "g: not running" "$T/st.out" || fail "after exit: $src $(cat "$T/st.out")"
st g --format json
[ "$src" = 3 ] && golden not-running.json || fail "after exit json: $src $(cat "$T/st.out")"
ok "at exit the socket is removed; status then exits 3 (text and json)"

# ---- the payload as server ----
profile p
profile q
dr_bg p -- --payload "$PAYLOAD" --wait
P=$SV
wait_for answers p || fail "p: status does not answer: $(cat "$T/st.err")"
dr_bg q -- --payload "$PAYLOAD" --wait
Q=$SV
wait_for answers q || fail "q: status does not answer: $(cat "$T/st.err")"
st p --format json; [ "$(jget 'd["supervisor_pid"]')" = "$P" ] || fail "p answered by $(jget 'd["supervisor_pid"]')"
st q --format json; [ "$(jget 'd["supervisor_pid"]')" = "$Q" ] || fail "q answered by $(jget 'd["supervisor_pid"]')"
psock=$(sock_of "$P") qsock=$(sock_of "$Q")
SOCKS+=("$psock" "$qsock")
[ -S "$psock" ] && [ -S "$qsock" ] && [ "$psock" != "$qsock" ] || fail "p and q: sockets $psock $qsock"
ok "two profiles at once: each has its own socket and supervisor"

# another uid: the socket's mode keeps it out, and SO_PEERCRED when the mode is opened
chmod 755 "$T" "$PROFILES"; chmod 644 "$PROFILES"/*.ini
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u XDG_RUNTIME_DIR \
	"$DEPLOY_RUN" --profiles "$PROFILES" status "$@" >"$T/st.out" 2>"$T/st.err"; }
src=0; as_nobody p || src=$?
[ "$src" = 4 ] && grep -q "another user" "$T/st.err" || fail "nobody, 0600: $src $(cat "$T/st.out" "$T/st.err")"
chmod 666 "$psock"
src=0; as_nobody p || src=$?
[ "$src" = 4 ] && grep -q "permission denied: uid 65534" "$T/st.err" ||
	fail "nobody, SO_PEERCRED: $src $(cat "$T/st.out" "$T/st.err")"
grep -q "refused a request from uid 65534" "$T/err" || fail "the supervisor did not log the refusal"
chmod 600 "$psock"
answers p || fail "p no longer answers root after a refusal"
ok "another uid is refused: by the socket's mode (exit 4), and by SO_PEERCRED when the mode is opened"

# [app] user: the socket belongs to the user the server runs as, who may ask
profile n '[app]' 'user = nobody'
chmod 644 "$PROFILES/n.ini"
dr_bg n -- --payload "$PAYLOAD" --wait
N=$SV
wait_for answers n || fail "n: status does not answer: $(cat "$T/err")"
nsock=$(sock_of "$N")
SOCKS+=("$nsock")
[ "$(stat -c %a:%U "$nsock")" = 600:nobody ] || fail "n: socket $(stat -c %a:%U "$nsock")"
src=0; as_nobody n --format json || src=$?
[ "$src" = 0 ] && [ "$(jget 'd["supervisor_pid"]')" = "$N" ] ||
	fail "nobody asking its own server: $src $(cat "$T/st.out" "$T/st.err")"
kill -TERM "$N"; stopped "$N"
ok "[app] user = nobody: the socket is 0600 nobody's, and nobody's status finds it under /run/deploy-run"

# a SIGKILLed supervisor leaves its socket: status says not running, the next start replaces it
kill -KILL "$P"
wait "$P" 2>/dev/null || true
[ -S "$psock" ] || fail "no stale socket after SIGKILL (test premise)"
st p
[ "$src" = 3 ] && grep -q "nobody answers" "$T/st.out" || fail "stale socket: $src $(cat "$T/st.out")"
dr_bg p -- --payload "$PAYLOAD" --wait
P=$SV
wait_for answers p || fail "p did not start again over its stale socket: $(cat "$T/err")"
st p --format json; [ "$(jget 'd["supervisor_pid"]')" = "$P" ] || fail "p answered by $(jget 'd["supervisor_pid"]')"
ok "a stale socket after SIGKILL: status exits 3 ('nobody answers'), the next run replaces it"
kill -TERM "$P" "$Q"
stopped "$P"; stopped "$Q"
[ ! -e "$psock" ] || fail "p's socket left"

# [run] control_socket = PATH and = off; a path that is not a socket is left alone
profile e "[run]" "control_socket = $T/ctl/e.sock"
mkdir -m 700 "$T/ctl"
dr_bg e -- --payload "$PAYLOAD" --wait
wait_for answers e || fail "e: [run] control_socket does not answer: $(cat "$T/err")"
[ -S "$T/ctl/e.sock" ] || fail "e: no socket at the configured path"
kill -TERM "$SV"; stopped "$SV"
[ ! -e "$T/ctl/e.sock" ] || fail "e: configured socket left"
echo precious >"$T/ctl/e.sock"
dr e -- --payload "$PAYLOAD" --exit 0
[ "$rc" = 125 ] && grep -q "exists and is not a socket" "$T/err" && [ "$(cat "$T/ctl/e.sock")" = precious ] ||
	fail "a file at the socket path: rc $rc $(cat "$T/err")"
ok "[run] control_socket = PATH is used; a file at that path is refused (125) and left alone"
profile o "[run]" "control_socket = off"
dr_bg o -- --payload "$PAYLOAD" --wait
wait_for grep -q "ready" "$LOG" || fail "o did not start"
st o
[ "$src" = 3 ] && grep -q "control_socket = off" "$T/st.out" || fail "off: $src $(cat "$T/st.out")"
kill -TERM "$SV"; stopped "$SV"
ok "[run] control_socket = off: no socket, status exits 3 and says why"

# usage and profile errors: 2
st; [ "$src" = 2 ] || fail "status without a profile: $src"
st nosuch; [ "$src" = 2 ] || fail "status of a missing profile: $src"
st p --format xml; [ "$src" = 2 ] || fail "status --format xml: $src"
ok "usage and profile errors exit 2"
