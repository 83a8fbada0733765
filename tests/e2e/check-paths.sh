#!/bin/bash
# The path family: each finding provoked alone, with its file and line, and
# none on a clean app.  Every case builds an app root and a profile under $T
# and runs `deploy-run check PROFILE --format json --only path`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"
set -e

APP=$T/app
mkdir -p "$APP/webapp" "$T/p"
printf 'import os\n\nDATA = os.environ.get("DATA_DIR", "data")\n' >"$APP/webapp/app.py"

# profile NAME STAGE [LINES...]: writes $T/p/NAME.ini for the app, extra lines last.
profile() {
	local name=$1 stage=$2
	shift 2
	{
		profile_head "$stage" "$APP" webapp.app:app
		printf '%s\n' "$@"
	} >"$T/p/$name.ini"
}

# run_paths NAME [ARGS...]: checks the path family of profile NAME.
run_paths() {
	local name=$1
	shift
	run_dr check "$T/p/$name.ini" --format json --only path "$@"
}

# --- clean: no path finding, exit 0 ---
profile clean production "[vars]" "DATA_DIR = $APP/webapp" "[cleanup]" "pid_file = $T/app.pid"
run_paths clean
check "clean app exits 0" [ "$rc" = 0 ]
assert_ids "$T/out"

# --- path.missing ---
# an input directory of [vars] that does not exist
profile missing-dir production "[vars]" "DATA_DIR = $T/nope"
run_paths missing-dir
check "missing input exits 1" [ "$rc" = 1 ]
only_finding path.missing "$T/p/missing-dir.ini" "$(line_of "$T/p/missing-dir.ini" DATA_DIR)" error

# an output file of a .env file whose directory does not exist
printf '# logs\nLOG_FILE=%s/nodir/app.log\n' "$T" >"$APP/.env"
profile missing-parent production "[env]" "files = .env"
run_paths missing-parent
only_finding path.missing "$APP/.env" 2
message_has "neither $T/nodir/app.log nor its directory $T/nodir exists"
# the same output file whose directory exists: fine
mkdir "$T/nodir"
run_paths missing-parent
assert_ids "$T/out"
rm -rf "$T/nodir" "$APP/.env"

# [cleanup] pid_file in a missing directory, and a unix socket likewise
profile missing-pid production "[server]" "bind = unix:$T/run/app.sock" "[cleanup]" \
	"pid_file = $T/run/app.pid"
run_paths missing-pid
assert_ids "$T/out" path.missing path.missing
has_finding path.missing "$T/p/missing-pid.ini" "$(line_of "$T/p/missing-pid.ini" pid_file)"
has_finding path.missing "$T/p/missing-pid.ini" "$(line_of "$T/p/missing-pid.ini" bind)"

# a missing root: one finding, not a second one for the working directory (the root)
profile_head production "$T/noroot" webapp.app:app >"$T/p/noroot.ini"
run_paths noroot
only_finding path.missing "$T/p/noroot.ini" "$(line_of "$T/p/noroot.ini" root)"

# a search path: each part is checked
profile search production "[vars]" "PLUGIN_PATH = /usr:$T/nope:$APP"
run_paths search
assert_ids "$T/out" path.missing
message_has "PLUGIN_PATH: path $T/nope does not exist"

# a directory where a file is expected
profile not-a-file production "[vars]" "CONFIG_FILE = $APP"
run_paths not-a-file
assert_ids "$T/out" path.missing
message_has "is a directory, not a file"

# the runtime user ([app] user) cannot read an input or write an output
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/private" "$T/rootonly"
	echo x >"$T/private/conf"
	chmod 700 "$T/private"
	chmod 755 "$T/rootonly" "$T" "$APP" "$APP/webapp"
	profile access production "[app]" "user = nobody" "[vars]" \
		"CONFIG_FILE = $T/private/conf"
	run_paths access
	only_finding path.missing "$T/p/access.ini" "$(line_of "$T/p/access.ini" CONFIG_FILE)"
	message_has "user nobody cannot enter $T/private"
	profile access-out production "[app]" "user = nobody" "[cleanup]" \
		"pid_file = $T/rootonly/app.pid"
	run_paths access-out
	assert_ids "$T/out" path.missing
	message_has "cannot be created in $T/rootonly: user nobody has no write permission"
	# the same, for the current user: fine
	profile access-self production "[cleanup]" "pid_file = $T/rootonly/app.pid" "[vars]" \
		"CONFIG_FILE = $T/private/conf"
	run_paths access-self
	assert_ids "$T/out"
else
	echo "skipped: access of another user (needs root and the user nobody)"
fi

# --- path.outside-allowed ---
mkdir -p "$T/elsewhere"
profile outside production "[vars]" "UPLOAD_DIR = $T/elsewhere" "CACHE_DIR = $APP/webapp" \
	"[checks]" "allowed_paths = $APP, /var/log/app"
run_paths outside
only_finding path.outside-allowed "$T/p/outside.ini" "$(line_of "$T/p/outside.ini" UPLOAD_DIR)" error
# the root itself outside: one finding for the root, none for what is inside it
profile outside-root production "[vars]" "CACHE_DIR = $APP/webapp" "[checks]" \
	"allowed_paths = /srv/app"
run_paths outside-root
only_finding path.outside-allowed "$T/p/outside-root.ini" "$(line_of "$T/p/outside-root.ini" root)"

# --- path.home-dir ---
if [ -r /root ] && [ -x /root ]; then
	profile home production "[vars]" "DATA_DIR = /root"
	run_paths home
	only_finding path.home-dir "$T/p/home.ini" "$(line_of "$T/p/home.ini" DATA_DIR)" error
	profile home-staging staging "[vars]" "DATA_DIR = /root"
	run_paths home-staging
	only_finding path.home-dir "$T/p/home-staging.ini" \
		"$(line_of "$T/p/home-staging.ini" DATA_DIR)" warning
	profile home-dev development "[vars]" "DATA_DIR = /root"
	run_paths home-dev
	assert_ids "$T/out"
else
	echo "skipped: home-dir (needs a readable /root)"
fi

# --- path.relative-to-cwd ---
printf 'APP_NAME=x\nLOG_FILE=logs/app.log\nMAX_PATH=260\nAPI_ROOT_URL=/api/v1\nMETRICS_PATH=/metrics\nSESSION_COOKIE_PATH=/usr/app\n' >"$APP/.env"
profile relative production "[env]" "files = .env"
run_paths relative
check "a warning alone exits 0" [ "$rc" = 0 ]
only_finding path.relative-to-cwd "$APP/.env" 2 warning
message_has "working directory ($APP"
rm "$APP/.env"
# in the server's arguments
profile relative-args production "[server]" "args = --error-logfile logs/err.log --pid=$T/x.pid"
run_paths relative-args
only_finding path.relative-to-cwd "$T/p/relative-args.ini" "$(line_of "$T/p/relative-args.ini" args)"
message_has "--error-logfile in [server] args"
# an absolute one that is missing
profile args-missing production "[server]" "args = --certfile $T/none.pem"
run_paths args-missing
assert_ids "$T/out" path.missing

# --- path.hardcoded ---
cat >"$APP/webapp/settings.py" <<'EOF'
import os
# a comment naming /home/alice/notes is not code
DB = "/home/alice/project/db.sqlite3"
"""A docstring
over lines"""
CACHE = r'C:\Users\bob\cache'
TMP = f"/tmp/pip-build-{os.getpid()}"
OK = "/srv/app/data"
ROOT = '/root'
ESC = "C:\\Users\\carol"
NOT = "/rooted"
EOF
# the skip list of checks/pysource, the same as env.app-loads-dotenv's: the venvs,
# vendored trees and the app's tests (tests/, test_*.py, conftest.py) are not the
# deployed code
mkdir -p "$APP/.venv/lib" "$APP/vendor" "$APP/other-venv" "$APP/webapp/__pycache__" \
	"$APP/node_modules/x" "$APP/vendored" "$APP/third-party" "$APP/tests/unit" "$APP/test"
for f in .venv/lib/a.py vendor/b.py other-venv/c.py webapp/__pycache__/d.py node_modules/x/e.py \
	vendored/f.py third-party/g.py tests/unit/h.py test/i.py webapp/test_j.py \
	webapp/k_test.py webapp/conftest.py; do
	echo 'P = "/home/someone/x"' >"$APP/$f"
done
touch "$APP/other-venv/pyvenv.cfg"
S=$APP/webapp/settings.py
profile hard production
run_paths hard
assert_ids "$T/out" path.hardcoded path.hardcoded path.hardcoded path.hardcoded path.hardcoded
has_finding path.hardcoded "$S" 3 error
has_finding path.hardcoded "$S" 6
has_finding path.hardcoded "$S" 7
has_finding path.hardcoded "$S" 9
has_finding path.hardcoded "$S" 10
run_dr check "$T/p/hard.ini" --only path.hardcoded
check "text report gives the column" grep -qF -- "--> $S:3:6" "$T/out"
profile hard-dev development
run_paths hard-dev
has_finding path.hardcoded "$S" 3 warning
# --skip path.hardcoded does not walk the tree
run_paths hard --skip path.hardcoded
assert_ids "$T/out"
rm -rf "$S" "$APP/.venv" "$APP/vendor" "$APP/other-venv" "$APP/webapp/__pycache__" "$APP/node_modules" \
	"$APP/vendored" "$APP/third-party" "$APP/tests" "$APP/test" "$APP/webapp/test_j.py" \
	"$APP/webapp/k_test.py" "$APP/webapp/conftest.py"

# --- the process environment ---
# an inherited variable the app never declares is the host's business
profile process production
LOG_DIR=$T/absent run_paths process
assert_ids "$T/out"
# declared in [env] required: checked, without a file
profile process-req production "[env]" "required = LOG_DIR"
LOG_DIR=$T/absent run_paths process-req
only_finding path.missing "" ""

# --- secrets stay masked ---
profile secret production "[env]" "secrets = SECRET_FILE" "[vars]" "SECRET_FILE = $T/hidden/key"
run_paths secret
assert_ids "$T/out" path.missing
message_lacks "$T/hidden"
run_paths secret --reveal
message_has "$T/hidden/key"

# --- [checks] path = off ---
profile off production "[vars]" "DATA_DIR = $T/nope" "[checks]" "path = off"
run_paths off
check "family off exits 0" [ "$rc" = 0 ]
assert_ids "$T/out"

finish
