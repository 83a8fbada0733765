#!/bin/bash
# selftest.sh [APPROOT]: the venv tools do what they promise.
#
#  1. Wheels are reproducible: the closure of APPROOT/requirements.in (default: the example
#     app) built twice, from different working directories into different output
#     directories, gives byte-identical wheels.
#  2. Those wheels match the committed lock APPROOT/requirements.txt (same pins, same sha256).
#  3. Synthetic distributions install into a fresh venv, their console scripts run, and a
#     deliberate dependency conflict is what `pip check` reports.
# Takes about 20 s (two full wheel builds and one venv).
set -euo pipefail

PY=/usr/bin/python3
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "${1:-$tools/../../example}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "selftest: FAIL: $*" >&2; exit 1; }
ok() { echo "selftest: ok: $*"; }
bw() { "$PY" "$tools/build-wheels.py" "$@"; }

mkdir -p "$tmp/a" "$tmp/b"
(cd "$tmp/a" && bw wheelhouse --force --in "$root/requirements.in" --out "$tmp/a/wh")
(cd / && bw wheelhouse --force --in "$root/requirements.in" --out "$tmp/b/wh")
(cd "$tmp/a/wh" && sha256sum -- *.whl) >"$tmp/a.sums"
(cd "$tmp/b/wh" && sha256sum -- *.whl) >"$tmp/b.sums"
diff -u "$tmp/a.sums" "$tmp/b.sums" || fail "two builds of the same wheels differ"
ok "$(wc -l <"$tmp/a.sums") wheels built twice are byte-identical"

bw lock --in "$root/requirements.in" --wheelhouse "$tmp/a/wh" --check "$root/requirements.txt" ||
	fail "$root/requirements.txt does not match the wheels built here"
ok "$root/requirements.txt matches the wheels built here"

syn=$tmp/synth
bw synth conflict-a 1.0 --requires 'conflict-b>=2' --entry-point conflict-a --out "$syn" >/dev/null
bw synth conflict-b 1.5 --out "$syn" >/dev/null
bw synth Plain.Dist 0.3.post1 --entry-point plain=plain_dist:main --out "$syn" >/dev/null
"$PY" -m venv --without-pip "$tmp/venv"
vpip() { "$PY" -m pip --isolated --python "$tmp/venv/bin/python" "$@"; }
vpip install --quiet --no-index --no-deps "$syn"/*.whl
out=$("$tmp/venv/bin/conflict-a") || fail "conflict-a script failed"
[ "$out" = "conflict-a 1.0" ] || fail "conflict-a script printed: $out"
out=$("$tmp/venv/bin/plain") || fail "plain script failed"
[ "$out" = "Plain.Dist 0.3.post1" ] || fail "plain printed: $out"
v=$("$tmp/venv/bin/python" -c 'import conflict_b; print(conflict_b.__version__)')
[ "$v" = 1.5 ] || fail "conflict_b.__version__ is $v"
ok "synthetic wheels install and their scripts run"
out=$(vpip check 2>&1) && fail "pip check found no conflict: $out"
[[ $out == *"conflict-a 1.0 has requirement conflict-b>=2, but you have conflict-b 1.5"* ]] ||
	fail "pip check reported: $out"
ok "pip check reports the planted conflict: $out"
echo "selftest: all checks passed"
