# Sourced by the memory ceiling scripts (memory-ceiling.sh, memory-load.sh):
# the leaking app (tests/e2e/apps/leakapp.py) under the example's venv
# (gunicorn 20.1 and uvicorn 0.17 from Debian), run by `deploy-run run`.
#   leak_profile NAME [LINES...]   $PROFILES/NAME.ini: $SERVER (gunicorn), $WORKERS (2)
#                                   workers, $MODULE (leakapp:app), $port; LINES go
#                                   under [server]
#   load SECONDS THREADS [PAUSE [PATH]]   loopback load, its JSON in $T/load.json
#   st NAME                         status --format json into $T/st.json ($src)
#   recycles                        the "recycling worker" lines logged so far
. "$(dirname "${BASH_SOURCE[0]}")/run-lib.sh"
example_venv
APPS=$SOURCE_ROOT/tests/e2e/apps
LEAKAPP=$T/leakapp
mkdir -p "$LEAKAPP"
cp "$APPS/leakapp.py" "$LEAKAPP/"
chmod -R a+rX "$LEAKAPP"

leak_profile() {
	local name=$1
	shift
	port=$(free_port)
	{
		printf '[app]\nroot = %s\nmodule = %s\nvenv = %s\nrequirements =\nserver = %s\n' \
			"$LEAKAPP" "${MODULE:-leakapp:app}" "$SOURCE_ROOT/example/.venv" "${SERVER:-gunicorn}"
		printf '[server]\nbind = 127.0.0.1:%s\nworkers = %s\ngraceful_timeout = 10s\n' "$port" \
			"${WORKERS:-2}"
		printf '%s\n' "$@"
		printf '[health]\npath = /healthz\n'
		printf '[checks]\nvenv = off\nreq = off\npath = off\n'
	} >"$PROFILES/$name.ini"
}

load() {
	$PY "$APPS/load.py" "$port" "$@" >"$T/load.json" || fail "the load client failed"
}
lget() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/load.json" "$1"; }

st() {
	src=0
	"$DEPLOY_RUN" --profiles "$PROFILES" status "$1" --format json >"$T/st.json" 2>"$T/st.err" || src=$?
}
sget() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/st.json" "$1"; }
ready_workers() {  # NAME N: status answers, ready, N workers
	st "$1" && [ "$src" = 0 ] && [ "$(sget 'd["ready"]')" = True ] && [ "$(sget 'len(d["workers"])')" = "$2" ]
}
recycles() { grep -c '^deploy-run: recycling worker ' "$T/err" || true; }

# all_under NAME LIMIT: every worker's memory is at most LIMIT bytes
all_under() { st "$1" && [ "$src" = 0 ] && [ "$(sget "max([w['memory_bytes'] for w in d['workers']] or [0]) <= $2")" = True ]; }

# wait_long CMD...: wait_for with a bound of 60 s (a recycle on a loaded machine)
wait_long() { retry 600 0.1 "$@"; }
