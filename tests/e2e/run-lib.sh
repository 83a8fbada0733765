# Sourced by the run-*.sh end-to-end scripts: the supervisor exercised through
# the built binary, `deploy-run run PROFILE`, with profiles written by the test.
#   DEPLOY_RUN   the built binary;  PAYLOAD  tests/payload.c built
#   SOURCE_ROOT  the source tree
#
# The app of the profiles ($APP) has a venv whose bin/gunicorn drops the
# server arguments deploy-run builds (--bind, --workers...) up to the word
# --payload and executes what follows, in the same process:
#     dr PROFILE -- --payload "$PAYLOAD" --exit 3
# runs the payload as the server.  The helpers (fail, ok, skip, retry, wait_for,
# count, has_lines, alive, gone, all_gone, master_pid, $T, $LOG, BG) are
# those of supervisor-lib.sh.
: "${DEPLOY_RUN:?DEPLOY_RUN must name the built deploy-run}"
: "${SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SUPERVISE=$DEPLOY_RUN
. "$(dirname "${BASH_SOURCE[0]}")/supervisor-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"
SUPERVISE=$DEPLOY_RUN
# supervisor-lib.sh's exit trap, plus: no valgrind error or leak in any run
_supervisor_finish=$(declare -f finish | tail -n +2)
eval "_supervisor_cleanup() $_supervisor_finish"
finish() {
	local rc=$?
	if ! valgrind_clean; then
		echo "FAIL: valgrind found errors or leaks" >&2
		rc=1
	fi
	_supervisor_cleanup
	exit $rc
}
PY=/usr/bin/python3
PROFILES=$T/profiles
APP=$T/app
mkdir -p "$PROFILES" "$APP/.venv/bin"
cat >"$APP/.venv/bin/gunicorn" <<'EOF'
#!/bin/bash
while [ $# -gt 0 ]; do a=$1; shift; [ "$a" = --payload ] && break; done
exec "$@"
EOF
chmod 755 "$APP/.venv/bin/gunicorn"

# profile NAME [INI LINES...]: writes $PROFILES/NAME.ini for $APP; the lines
# come first, so they may open sections of their own ([cleanup], [run]...).
profile() {
	local name=$1
	shift
	{
		printf '%s\n' "$@"
		printf '[app]\nroot = %s\nmodule = app:app\nrequirements =\n' "$APP"
		printf '[checks]\nvenv = off\nreq = off\n'
	} >"$PROFILES/$name.ini"
}

# example_venv: the example app's virtualenv, made offline once (fails the script
# when it cannot be made)
example_venv() {
	bash "$SOURCE_ROOT/dev/venv-tools/make-venv.sh" "$SOURCE_ROOT/example" >"$T/venv.log" 2>&1 ||
		fail "no example venv: $(cat "$T/venv.log")"
}

# example_server_profile NAME SERVER MODULE [INI LINES...]: $PROFILES/NAME.ini for
# the example app under its real SERVER (2 workers on a free port, in $port,
# its .env files, req off); the lines come last.
example_server_profile() {
	local name=$1 server=$2 module=$3
	shift 3
	port=$(free_port)
	{
		printf '[app]\nroot = %s\nserver = %s\nmodule = %s\n' "$SOURCE_ROOT/example" "$server" "$module"
		printf '[server]\nbind = 127.0.0.1:%s\nworkers = 2\ngraceful_timeout = 5s\n' "$port"
		printf '[env]\nfiles = .env, .env.development\n[checks]\nreq = off\n'
		printf '%s\n' "$@"
	} >"$PROFILES/$name.ini"
}

# dr PROFILE [-- ARGS]: deploy-run run in the foreground; stderr in $T/err, status in $rc
dr() {
	rc=0
	"$DEPLOY_RUN" --profiles "$PROFILES" run "$@" 2>"$T/err" || rc=$?
}

# dr_bg PROFILE [-- ARGS]: in the background; its pid in $SV
dr_bg() {
	"$DEPLOY_RUN" --profiles "$PROFILES" run "$@" 2>"$T/err" &
	SV=$!
	BG+=("$SV")
}

# stopped SV: waits for the background deploy-run; its status in $rc
stopped() { rc=0; wait "$1" || rc=$?; }

summary() { grep '^deploy-run: exit ' "$T/err" | tail -n1; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_supervise: $T/supervise, a stand-in for the test driver tests/tools/supervise
# that runs `deploy-run run` instead, so that the supervisor-*.sh scripts whose
# options a profile can express run through the built binary:
#   -q (deploy-run -q), -t MS ([cleanup] kill_timeout), -s SIG ([run] success_signals),
#   -u USER ([app] user), --shm MODE, --prometheus-dir DIR, --pid-file FILE
#   ([cleanup]), --socket PATH ([server] bind = unix:PATH); then -- ARGV.
make_supervise() {
	cat >"$T/supervise" <<EOF2
#!/bin/bash
set -eu
q=() cleanup=() run=() app=() binds=()
while [ \$# -gt 0 ]; do
	case \$1 in
	-q) q=(-q) ;;
	-t) cleanup+=("kill_timeout = \${2}ms"); shift ;;
	-s) run+=("\$2"); shift ;;
	-u) app+=("user = \$2"); shift ;;
	--shm) cleanup+=("shm = \$2"); shift ;;
	--prometheus-dir) cleanup+=("prometheus_dir = \$2"); shift ;;
	--pid-file) cleanup+=("pid_file = \$2"); shift ;;
	--socket) binds+=("unix:\$2"); shift ;;
	--) shift; break ;;
	*) echo "supervise: \$1 has no profile key" >&2; exit 2 ;;
	esac
	shift
done
ini=\$(mktemp "$PROFILES/sv.XXXXXX.ini")
{
	printf '[app]\nroot = %s\nmodule = app:app\nrequirements =\n' "$APP"
	for l in "\${app[@]}"; do echo "\$l"; done
	printf '[checks]\nvenv = off\nreq = off\npath = off\n[cleanup]\n'
	for l in "\${cleanup[@]}"; do echo "\$l"; done
	if [ \${#run[@]} -gt 0 ]; then printf '[run]\nsuccess_signals = %s\n' "\${run[*]}"; fi
	if [ \${#binds[@]} -gt 0 ]; then (IFS=,; printf '[server]\nbind = %s\n' "\${binds[*]}"); fi
} >"\$ini"
# run as another user (supervisor-user.sh): its control socket in the test's directory,
# not in /tmp/deploy-run-UID, which would outlive the test
if [ "\$(id -u)" != 0 ]; then
	export XDG_RUNTIME_DIR="$PROFILES/run-\$(id -u)"
	mkdir -p -m 700 "\$XDG_RUNTIME_DIR"
fi
exec "$DEPLOY_RUN" "\${q[@]}" run "\$ini" -- --payload "\$@"
EOF2
	chmod 755 "$T/supervise"
	chmod 1777 "$PROFILES" # supervisor-user.sh runs it as nobody too
}
