#!/bin/bash
# make-venv.sh [--force] APPROOT
#
# Create APPROOT/.venv offline, the way production installs a virtualenv: Debian's
# /usr/bin/python3 -m venv (no system site-packages), then
#   pip install --no-index --find-links APPROOT/wheelhouse --require-hashes -r requirements.txt
# The wheels are built from Debian's installed packages by build-wheels.py and cached in
# APPROOT/wheelhouse/.  When they no longer match the hashes of APPROOT/requirements.txt
# (Debian updated a package), the lock is regenerated from APPROOT/requirements.in and the
# script says so.  Idempotent: when the venv was made from the same lock and wheels
# (.venv/.deploy-run-venv-stamp), it only checks that and exits; otherwise the venv is
# recreated from scratch.
#
# After an install it verifies that gunicorn and uvicorn run and that `pip check` is clean.
# Also sets the .env files of APPROOT to mode 0600 (git keeps no modes beyond +x).
set -euo pipefail

PY=/usr/bin/python3
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
force=
if [ "${1-}" = --force ]; then
	force=--force
	shift
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: make-venv.sh [--force] APPROOT" >&2
	exit 2
fi
root=$(cd "$1" && pwd)
venv=$root/.venv
wheelhouse=$root/wheelhouse
req_in=$root/requirements.in
lock=$root/requirements.txt
stamp=$venv/.deploy-run-venv-stamp

say() { echo "make-venv: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ -x "$PY" ] || die "$PY not found: apt-get install python3-venv python3-pip"
[ -f "$req_in" ] || die "$req_in: no such file (the top-level requirements the lock is made from)"

# Everything below writes into APPROOT: one run at a time.
mkdir -p "$wheelhouse"
exec 9>"$wheelhouse/.lock"
flock 9

for f in "$root"/.env "$root"/.env.*; do
	if [ -f "$f" ] && [ ! -L "$f" ]; then
		chmod 600 "$f"
	fi
done

# Builds only when the sources changed; regenerates the lock when the hashes differ.
"$PY" "$tools/build-wheels.py" wheelhouse --in "$req_in" --out "$wheelhouse" --lock "$lock" $force

venv_sane() {
	[ -x "$venv/bin/python" ] && [ -f "$venv/pyvenv.cfg" ] &&
		grep -Eq '^include-system-site-packages *= *false' "$venv/pyvenv.cfg" &&
		grep -Eq "^home *= *$(dirname "$PY")\$" "$venv/pyvenv.cfg" &&
		"$venv/bin/python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)' 2>/dev/null
}

# The lock now matches the wheels, so its digest stands for both.
want="python $("$PY" -V 2>&1 | cut -d' ' -f2)
lock $(sha256sum <"$lock" | cut -d' ' -f1)
venv $venv"

if [ -z "$force" ] && venv_sane && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	say "$venv is up to date"
	exit 0
fi

start=$(date +%s%N)
rm -f "$stamp"
# Always from scratch: a wheel whose hash changed at the same version would otherwise be
# left in place, and nothing installed by hand survives.
if [ -e "$venv" ]; then
	say "recreating $venv (the lock, the wheels or the venv changed)"
fi
"$PY" -m venv --clear "$venv"

pip() {
	env -u PYTHONPATH -u PYTHONHOME PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
		"$venv/bin/python" -m pip --isolated "$@"
}

say "installing $(grep -c '^[a-z0-9]' "$lock") locked distributions from $wheelhouse"
pip install --quiet --no-index --find-links "$wheelhouse" --require-hashes -r "$lock"

say "verifying the venv"
"$venv/bin/gunicorn" --version >/dev/null || die "$venv/bin/gunicorn --version failed"
"$venv/bin/uvicorn" --version >/dev/null || die "$venv/bin/uvicorn --version failed"
pip check >/dev/null || { pip check >&2 || true; die "pip check in $venv is not clean"; }

printf '%s\n' "$want" >"$stamp"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
say "$venv ready in ${elapsed_ms} ms: $("$venv/bin/gunicorn" --version 2>&1)," \
	"$("$venv/bin/uvicorn" --version 2>&1 | cut -d" " -f2-3)"
