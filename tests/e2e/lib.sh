# Shared helpers of the end-to-end scripts: source it first.
#   DEPLOY_RUN   the built binary (set by tests/meson.build)
#   SOURCE_ROOT  the source tree
set -u
: "${DEPLOY_RUN:?DEPLOY_RUN must name the built deploy-run}"
: "${SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PY=/usr/bin/python3

T=$(mktemp -d "${TMPDIR:-/tmp}/dr-e2e.XXXXXX")
_cleanup_hooks=()
_cleanup() {
	local h
	for h in "${_cleanup_hooks[@]}"; do eval "$h" || true; done
	rm -rf "$T"
}
trap _cleanup EXIT
at_exit() { _cleanup_hooks+=("$1"); }

. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"

_failures=0
_passes=0
fail() { echo "FAIL: $*" >&2; _failures=$((_failures + 1)); }
pass() { _passes=$((_passes + 1)); }
# check DESCRIPTION COMMAND...: runs the command, counts a pass or a failure.
check() { local d=$1; shift; if "$@"; then pass; else fail "$d"; fi; }
finish() {
	check "valgrind found no error or leak" valgrind_clean
	echo "$_passes passed, $_failures failed"
	[ "$_failures" -eq 0 ]
}

# run_dr ARGS...: runs deploy-run, keeping stdout in $T/out, stderr in $T/err, status in $rc.
run_dr() {
	set +e
	"$DEPLOY_RUN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

# json_ids FILE: the finding ids of a check --format json output, one a line, sorted.
json_ids() {
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
for r in (d if isinstance(d, list) else [d]):
    for f in r["findings"]: print(f["id"])' "$1" | sort
}

# assert_ids FILE ID...: the JSON report in FILE has exactly these finding ids (any order).
assert_ids() {
	local file=$1; shift
	local want got
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(json_ids "$file")
	if [ "$want" = "$got" ]; then pass; else
		fail "expected ids [$(echo $want)], got [$(echo $got)]"
		cat "$file" >&2
	fi
}

# json_get FILE EXPR: evaluates a Python expression over the parsed JSON `d`.
json_get() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# free_port: a TCP port free on 127.0.0.1 now.
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http URL SECONDS: waits until URL answers 200.
wait_http() {
	local url=$1 secs=${2:-20} i
	for i in $(seq 1 $((secs * 10))); do
		if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

# example_venv: makes sure the example's virtualenv exists (idempotent, fast when done).
example_venv() {
	bash "$SOURCE_ROOT/dev/venv-tools/make-venv.sh" "$SOURCE_ROOT/example" >"$T/venv.log" 2>&1 ||
		{ cat "$T/venv.log" >&2; return 1; }
}

# example_checkout DIR: the example app and its profiles in DIR, as a checkout has
# them (no venv).
example_checkout() {
	mkdir -p "$1"
	tar -C "$SOURCE_ROOT" --exclude=./example/.venv -cf - ./example ./profiles | tar -C "$1" -xf -
}

# has_finding ID FILE LINE [SEVERITY]: the JSON report in $T/out has that finding
# (FILE "" and LINE "": a finding without location).
has_finding() {
	if $PY - "$T/out" "$@" <<'PYEOF'; then pass; else fail "no finding $* in:"; cat "$T/out" >&2; fi
import json, sys
d = json.load(open(sys.argv[1]))
fid, file, line = sys.argv[2], sys.argv[3] or None, sys.argv[4]
sev = sys.argv[5] if len(sys.argv) > 5 else None
line = int(line) if line else None
ok = any(f["id"] == fid and f["file"] == file and f["line"] == line
         and (sev is None or f["severity"] == sev) for f in d["findings"])
sys.exit(0 if ok else 1)
PYEOF
}

# only_finding ID FILE LINE [SEVERITY]: the JSON report in $T/out has ID and no
# other id (assert_ids), and that finding at FILE:LINE (has_finding).
only_finding() { assert_ids "$T/out" "$1"; has_finding "$@"; }

# line_of FILE TEXT: the number of the first line of FILE containing TEXT.
line_of() { grep -anF -- "$2" "$1" | head -n1 | cut -d: -f1; }

# message_has TEXT / message_lacks TEXT: in the output $T/out.
message_has() { check "output has '$1'" grep -qF -- "$1" "$T/out"; }
message_lacks() { check "output lacks '$1'" bash -c "! grep -qF -- \"\$1\" \"\$2\"" _ "$1" "$T/out"; }
