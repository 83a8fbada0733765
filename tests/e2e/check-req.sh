#!/bin/bash
# The req check family end to end, on real virtualenvs built offline: tiny
# wheels from build-wheels.py synth installed by pip into a venv made by
# /usr/bin/python3 -m venv (which seeds pip and setuptools).  One clean venv
# and lock with no finding, then each finding provoked alone (with its file
# and line) on a copy of that venv or a changed lock; on every venv `pip
# check` runs too and its problems are compared with ours one by one.
set -eu
. "$(dirname "$0")/lib.sh"

SYNTH="$PY $SOURCE_ROOT/dev/venv-tools/build-wheels.py synth"
W=$T/wheels
APP=$T/app
mkdir -p "$W" "$APP/profiles" "$T/other"

# The web: alpha needs beta>=1.0; gamma needs beta<2 (marker true), delta only
# for its extra "x" and omega only on Python 2 (neither installed: pip check
# ignores both); kappa needs lam>=1.0 and lam is a prerelease, which pip check
# accepts (prereleases=True).
$SYNTH alpha 1.0 --requires 'beta>=1.0' --out "$W" >/dev/null
$SYNTH beta 1.2 --out "$W" >/dev/null
$SYNTH gamma 2.0 --requires 'beta<2; python_version >= "3"' --requires 'delta; extra == "x"' \
	--requires 'omega; python_version < "3"' --out "$W" >/dev/null
$SYNTH kappa 1.0 --requires 'lam>=1.0' --out "$W" >/dev/null
$SYNTH lam 2.0b1 --out "$W" >/dev/null
# not installed in the clean venv
$SYNTH beta 0.9 --out "$T/other" >/dev/null
$SYNTH epsilon 1.0 --out "$T/other" >/dev/null
$SYNTH zeta 1.0 --out "$T/other" >/dev/null

hash_of() { sha256sum "$1" | cut -d' ' -f1; }
# lock_line NAME VERSION WHEEL: a pip-compile style pinned, hashed entry.
lock_line() { printf '%s==%s \\\n    --hash=sha256:%s\n' "$1" "$2" "$(hash_of "$3")"; }
clean_lock() {
	echo "# locked"
	lock_line alpha 1.0 "$W/alpha-1.0-py3-none-any.whl"
	lock_line beta 1.2 "$W/beta-1.2-py3-none-any.whl"
	lock_line gamma 2.0 "$W/gamma-2.0-py3-none-any.whl"
	lock_line kappa 1.0 "$W/kappa-1.0-py3-none-any.whl"
	lock_line lam 2.0b1 "$W/lam-2.0b1-py3-none-any.whl"
}
clean_lock >"$APP/requirements.txt"

V=$APP/.venv
$PY -m venv "$V"
"$V/bin/pip" install -q --no-index --find-links "$W" --require-hashes -r "$APP/requirements.txt" \
	>"$T/pip.log" 2>&1 || { cat "$T/pip.log" >&2; exit 1; }
SITE=$(echo "$V"/lib/python3.*/site-packages)

PROFILE=$APP/profiles/p.ini
# profile [EXTRA-INI-LINES...]: a production profile; [app] lines may be overridden.
profile() {
	{
		echo "[profile]"
		echo "stage = production"
		echo "[app]"
		echo "root = .."
		echo "module = webapp.wsgi:app"
		echo "server = gunicorn"
		printf '%s\n' "$@" | grep -q '^requirements' || echo "requirements = requirements.txt"
		printf '%s\n' "$@" | grep -q '^venv' || echo "venv = .venv"
		for l in "$@"; do echo "$l"; done
	} >"$PROFILE"
}

# dr ARGS...: check the req family, JSON report in $T/out.
dr() { run_dr check "$PROFILE" --only req --format json "$@"; }

# same_as_pip_check VENV: pip check's problems on VENV are exactly our
# req.dependency-conflict findings (requirer, dependency and kind).
same_as_pip_check() {
	local venv=$1
	set +e
	"$venv/bin/python" -m pip check >"$T/pipcheck" 2>&1
	set -e
	if $PY - "$T/pipcheck" "$T/out" <<'PYEOF'; then pass; else fail "pip check differs on $venv"; fi
import json, re, sys
pat = [(re.compile(r"^(\S+) (\S+) requires (\S+), which is not installed\.$"), "missing"),
       (re.compile(r"^(\S+) (\S+) has requirement (\S+?)(?:[<>=!~;\[ @(].*)?, but you have (\S+) (\S+)\.$"),
        "conflict")]
def parse(lines):
    out = []
    for line in lines:
        for rx, kind in pat:
            m = rx.match(line.strip())
            if m:
                out.append((kind, m.group(1).lower(), m.group(2), m.group(3).lower()))
    return sorted(out)
pip = parse(open(sys.argv[1]).read().splitlines())
ours = parse(f["message"] for f in json.load(open(sys.argv[2]))["findings"]
             if f["id"] == "req.dependency-conflict")
if pip != ours:
    print("pip check:", pip, "\nours:     ", ours, file=sys.stderr)
    sys.exit(1)
PYEOF
}

# same_with_pylock [DR-ARGS...]: the profile's requirement file written as a
# pylock.toml (dev/venv-tools/pylock-from-requirements.py, wheels from $W and
# $T/other) gives the same findings as the last dr: the same ids and
# severities, and those on the requirement file are on the pylock.toml.
same_with_pylock() {
	local req lock
	req=$(sed -n 's/^requirements = //p' "$PROFILE")
	lock=$APP/pylock.$(basename "$req" .txt | tr . -).toml
	$PY "$SOURCE_ROOT/dev/venv-tools/pylock-from-requirements.py" "$APP/$req" "$W" "$T/other" \
		>"$lock" 2>"$T/pylock.log"
	cp "$T/out" "$T/out.txt"
	cp "$PROFILE" "$T/profile.txt"
	sed -i "s|^requirements = .*|requirements = $(basename "$lock")|" "$PROFILE"
	dr "$@"
	cp "$T/profile.txt" "$PROFILE"
	if $PY - "$T/out.txt" "$T/out" "$APP/$req" "$lock" <<'PYEOF'; then pass; else fail "pylock.toml findings differ from $req's"; fi
import json, sys
a, b = (json.load(open(p))["findings"] for p in sys.argv[1:3])
def key(f, lockfile):
    return (f["id"], f["severity"], "LOCK" if f["file"] == lockfile else f["file"])
ka = sorted(key(f, sys.argv[3]) for f in a)
kb = sorted(key(f, sys.argv[4]) for f in b)
if ka != kb:
    print("requirements:", ka, "\npylock:      ", kb, file=sys.stderr)
    sys.exit(1)
PYEOF
	cp "$T/out.txt" "$T/out"
}

# fresh_venv NAME: a copy of the clean venv (pyvenv.cfg and site-packages as pip left them).
fresh_venv() { rm -rf "$T/$1"; cp -a "$V" "$T/$1"; echo "$T/$1"; }

# --- clean: nothing to report, pip and setuptools (seeded by venv) are not "not locked"
profile "[checks]" "wheelhouse = $W"
dr --verify-records
assert_ids "$T/out"
check "clean: exit 0" [ "$rc" = 0 ]
same_as_pip_check "$V"
check "clean: pip check agrees" grep -q "No broken requirements found" "$T/pipcheck"
same_with_pylock --verify-records

# --- req.file-missing: the lock, then an included file
profile "requirements = nope.txt"
dr
only_finding req.file-missing "$PROFILE" "$(line_of "$PROFILE" "requirements =")" error
check "file-missing: exit 1" [ "$rc" = 1 ]
{ clean_lock; echo "-r more.txt"; } >"$APP/inc.txt"
profile "requirements = inc.txt"
dr
only_finding req.file-missing "$APP/inc.txt" "$(line_of "$APP/inc.txt" "-r more.txt")"

# --- req.parse: an option pip does not know
{ clean_lock; echo "--frobnicate"; } >"$APP/bad.txt"
profile "requirements = bad.txt"
dr
only_finding req.parse "$APP/bad.txt" "$(line_of "$APP/bad.txt" "--frobnicate")"

# --- the encodings pip reads (pip/_internal/utils/encoding.py): a UTF-16 lock
# with a BOM, as PowerShell's > writes it, is checked like any other
clean_lock | $PY -c 'import sys; sys.stdout.buffer.write(sys.stdin.read().encode("utf-16"))' \
	>"$APP/utf16.txt"
profile "requirements = utf16.txt"
dr
assert_ids "$T/out"
check "UTF-16 lock: exit 0" [ "$rc" = 0 ]
{ clean_lock | sed '/^beta==/,+1d'; echo "beta==1.2"; } |
	$PY -c 'import sys; sys.stdout.buffer.write(sys.stdin.read().encode("utf-16"))' \
	>"$APP/utf16-nohash.txt"
profile "requirements = utf16-nohash.txt"
dr
only_finding req.no-hash "$APP/utf16-nohash.txt" 10 error
# invalid UTF-8, even in a comment, is req.parse at its line (pip refuses the file)
{ clean_lock; printf '# caf\xe9\n'; } >"$APP/latin1.txt"
profile "requirements = latin1.txt"
dr
only_finding req.parse "$APP/latin1.txt" 12 error
message_has "invalid UTF-8"
# ... unless a PEP 263 line declares it
{ printf '# -*- coding: latin-1 -*-\n'; clean_lock; printf '# caf\xe9\n'; } >"$APP/latin1.txt"
dr
assert_ids "$T/out"
# --- a Windows path: pip cannot open it here, req.parse (not a URL without a hash)
{ clean_lock; printf 'C:\\wheels\\x-1.0-py3-none-any.whl\n'; } >"$APP/windows.txt"
profile "requirements = windows.txt"
dr
only_finding req.parse "$APP/windows.txt" 12 error
message_has "Windows path"

# --- req.unpinned: a range, with its hash
clean_lock | sed 's/^beta==1.2/beta>=1.0/' >"$APP/unpinned.txt"
profile "requirements = unpinned.txt"
dr
only_finding req.unpinned "$APP/unpinned.txt" "$(line_of "$APP/unpinned.txt" "beta>=1.0")" error
same_with_pylock

# --- req.no-hash: a pin without --hash, then a URL without --hash
{ clean_lock | sed '/^beta==/,+1d'; echo "beta==1.2"; } >"$APP/nohash.txt"
profile "requirements = nohash.txt"
dr
only_finding req.no-hash "$APP/nohash.txt" "$(line_of "$APP/nohash.txt" "beta==1.2")" error
same_with_pylock
{ clean_lock | sed '/^beta==/,+1d'
  echo "beta @ file://$W/beta-1.2-py3-none-any.whl"; } >"$APP/nohash-url.txt"
profile "requirements = nohash-url.txt"
dr
only_finding req.no-hash "$APP/nohash-url.txt" "$(line_of "$APP/nohash-url.txt" "beta @")"
same_with_pylock
# a requirement whose marker is false for the venv's Python: pip ignores it
# before asking for a pin or a hash, so neither is required
{ clean_lock; echo 'pywin32==306 ; sys_platform == "win32"'
  echo 'legacy>=1.0 ; python_version < "3"'; } >"$APP/marker.txt"
profile "requirements = marker.txt"
dr
assert_ids "$T/out"
same_with_pylock

# --- req.not-installed: locked, never installed
{ clean_lock; lock_line epsilon 1.0 "$T/other/epsilon-1.0-py3-none-any.whl"; } >"$APP/more.txt"
profile "requirements = more.txt"
dr
only_finding req.not-installed "$APP/more.txt" "$(line_of "$APP/more.txt" "epsilon==")" error
same_with_pylock
same_as_pip_check "$V"

# --- req.version-mismatch: the lock moved to beta 1.1, the venv still has 1.2
$SYNTH beta 1.1 --out "$T/other" >/dev/null
clean_lock | sed '/^beta==/,+1d' >"$APP/moved.txt"
lock_line beta 1.1 "$T/other/beta-1.1-py3-none-any.whl" >>"$APP/moved.txt"
profile "requirements = moved.txt"
dr
only_finding req.version-mismatch "$APP/moved.txt" "$(line_of "$APP/moved.txt" "beta==1.1")" error
same_with_pylock

# --- req.not-locked: zeta installed by hand
V2=$(fresh_venv notlocked)
"$V2/bin/python" -m pip install -q --no-index --no-deps "$T/other/zeta-1.0-py3-none-any.whl" \
	>"$T/pip.log" 2>&1
profile "venv = $V2"
dr
only_finding req.not-locked "$APP/requirements.txt" "" error
message_has "zeta 1.0"
same_with_pylock
same_as_pip_check "$V2"

# --- req.dependency-conflict: a dependency missing (and not in the lock either)
V3=$(fresh_venv missing)
"$V3/bin/python" -m pip uninstall -q -y beta >"$T/pip.log" 2>&1
clean_lock | sed '/^beta==/,+1d' >"$APP/nobeta.txt"
profile "venv = $V3" "requirements = nobeta.txt"
dr
assert_ids "$T/out" req.dependency-conflict req.dependency-conflict
has_finding req.dependency-conflict "$APP/nobeta.txt" "$(line_of "$APP/nobeta.txt" "alpha==")" error
has_finding req.dependency-conflict "$APP/nobeta.txt" "$(line_of "$APP/nobeta.txt" "gamma==")" error
message_has "alpha 1.0 requires beta, which is not installed."
same_with_pylock
same_as_pip_check "$V3"

# --- req.dependency-conflict: a version outside alpha's range, locked as such
V4=$(fresh_venv conflict)
"$V4/bin/python" -m pip install -q --no-index --no-deps "$T/other/beta-0.9-py3-none-any.whl" \
	>"$T/pip.log" 2>&1
clean_lock | sed '/^beta==/,+1d' >"$APP/old.txt"
lock_line beta 0.9 "$T/other/beta-0.9-py3-none-any.whl" >>"$APP/old.txt"
profile "venv = $V4" "requirements = old.txt"
dr
only_finding req.dependency-conflict "$APP/old.txt" "$(line_of "$APP/old.txt" "beta==0.9")" error
message_has "alpha 1.0 has requirement beta>=1.0, but you have beta 0.9."
same_with_pylock
same_as_pip_check "$V4"

# --- req.record-mismatch: an installed file edited after installation
V5=$(fresh_venv edited)
echo "# patched" >>"$(echo "$V5"/lib/python3.*/site-packages)/alpha.py"
profile "venv = $V5"
dr --verify-records
assert_ids "$T/out" req.record-mismatch
REC=$(echo "$V5"/lib/python3.*/site-packages/alpha-1.0.dist-info/RECORD)
has_finding req.record-mismatch "$REC" "$(line_of "$REC" "alpha.py,")" error
dr
assert_ids "$T/out"   # without --verify-records nothing is hashed
profile "venv = $V5" "[checks]" "verify_records = true"
dr
assert_ids "$T/out" req.record-mismatch

# --- req.record-missing-file: an installed file deleted
V6=$(fresh_venv deleted)
rm "$(echo "$V6"/lib/python3.*/site-packages)/beta.py"
profile "venv = $V6"
dr --verify-records
assert_ids "$T/out" req.record-missing-file
REC=$(echo "$V6"/lib/python3.*/site-packages/beta-1.2.dist-info/RECORD)
has_finding req.record-missing-file "$REC" "$(line_of "$REC" "beta.py,")" error

# --- req.record-missing: a dist-info whose RECORD was deleted
V7=$(fresh_venv norecord)
REC=$(echo "$V7"/lib/python3.*/site-packages/gamma-2.0.dist-info/RECORD)
rm "$REC"
profile "venv = $V7"
dr --verify-records
only_finding req.record-missing "${REC%/RECORD}" "" error
message_has "has no RECORD"
dr
assert_ids "$T/out"   # without --verify-records nothing is verified
# ... or is not a readable file
mkdir "$REC"
dr --verify-records
only_finding req.record-missing "$REC" "" error
message_has "cannot be read"

# --- req.wheel-hash: a wheel that is not the one the lock hashed
WH=$T/wheelhouse
mkdir -p "$WH"
cp "$W"/*.whl "$WH/"
cp "$T/other/beta-1.1-py3-none-any.whl" "$WH/beta-1.2-py3-none-any.whl"
profile "[checks]" "wheelhouse = $WH"
dr
# beta 1.1's files under 1.2's name: the hash differs, and its RECORD still matches it
only_finding req.wheel-hash "$APP/requirements.txt" "$(line_of "$APP/requirements.txt" "beta==1.2")"
same_with_pylock
# a wheel changed after it was built (and the lock hashed the changed one)
cp "$W/beta-1.2-py3-none-any.whl" "$WH/"
$PY - "$WH/gamma-2.0-py3-none-any.whl" <<'PYEOF'
import sys, zipfile
p = sys.argv[1]
items = [(i, zipfile.ZipFile(p).read(i.filename)) for i in zipfile.ZipFile(p).infolist()]
with zipfile.ZipFile(p, "w") as z:
    for i, data in items:
        z.writestr(i, data + b"# patched\n" if i.filename == "gamma.py" else data)
PYEOF
sed -i "s/$(hash_of "$W/gamma-2.0-py3-none-any.whl")/$(hash_of "$WH/gamma-2.0-py3-none-any.whl")/" \
	"$APP/requirements.txt"
dr
only_finding req.wheel-hash "$WH/gamma-2.0-py3-none-any.whl" ""
message_has "gamma.py: sha256="
same_with_pylock
clean_lock >"$APP/requirements.txt"

# --- development: the same problems are warnings
clean_lock | sed 's/^beta==1.2/beta>=1.0/' >"$APP/unpinned.txt"
profile "requirements = unpinned.txt"
sed -i 's/stage = production/stage = development/' "$PROFILE"
dr
has_finding req.unpinned "$APP/unpinned.txt" "$(line_of "$APP/unpinned.txt" "beta>=1.0")" warning
check "development: exit 0" [ "$rc" = 0 ]
same_with_pylock

# --- the example app: no req finding on its proper venv
example_venv
run_dr -C "$SOURCE_ROOT" check prod --only req --verify-records --format json
assert_ids "$T/out"

finish
