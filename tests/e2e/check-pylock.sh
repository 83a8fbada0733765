#!/bin/bash
# pylock.toml (PEP 751) as [app] requirements, on the example app and its venv:
# the example's pylock.toml is as clean as its requirements.txt; the
# specification's own example parses (and says it is for another Python);
# req.lock-environment alone, for each of its three causes; the default
# dependency groups decide which packages apply; every violation of the
# specification is req.parse at the key's line, naming it; and bundle,
# verify-bundle and unbundle carry and check the lock.  (tests/e2e/check-req.sh
# compares both formats on every other req.* finding.)
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"

example_venv
EX=$SOURCE_ROOT/example
LOCKS=$T/locks
mkdir -p "$LOCKS" "$T/profiles"
PROFILE=$T/profiles/p.ini
# profile REQUIREMENTS: the example app in production with that lock.
profile() {
	profile_head production "$EX" webapp.wsgi:app "venv = .venv" "python = 3.11" |
		sed "s|^requirements =\$|requirements = $1|" >"$PROFILE"
}
dr() { run_dr check "$PROFILE" --only req --format json "$@"; }
# lock NAME: a copy of the example's pylock.toml as $LOCKS/pylock.NAME.toml, path printed.
lock() { sed "s|'wheelhouse/|'$EX/wheelhouse/|" "$EX/pylock.toml" >"$LOCKS/pylock.$1.toml"; echo "$LOCKS/pylock.$1.toml"; }
# at_package FILE NAME: the line of NAME's [[packages]] header.
at_package() { $PY - "$1" "$2" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
for i, l in enumerate(lines):
    if l == "name = '%s'" % sys.argv[2]:
        print(max(j for j in range(i) if lines[j] == "[[packages]]") + 1)
PYEOF
}

# --- the example: both locks are clean, with RECORDs and the wheelhouse verified
profile pylock.toml
dr --verify-records
assert_ids "$T/out"
check "example pylock.toml: exit 0" [ "$rc" = 0 ]
profile requirements.txt
dr --verify-records
assert_ids "$T/out"
profile pylock.toml
echo "[checks]" >>"$PROFILE"
echo "wheelhouse = wheelhouse" >>"$PROFILE"
dr
assert_ids "$T/out"

# --- the specification's example parses; it is for Python 3.12 (and Windows or Linux)
cp "$SOURCE_ROOT/tests/golden/pylock/spec-example.toml" "$LOCKS/pylock.toml"
profile "$LOCKS/pylock.toml"
dr
only_finding req.lock-environment "$LOCKS/pylock.toml" 3 error
message_has "the lock requires Python == 3.12.*, the virtualenv $EX/.venv has Python 3.11"
check "spec example: exit 1" [ "$rc" = 1 ]
cp "$SOURCE_ROOT/tests/golden/pylock/spec-example-inline.toml" "$LOCKS/pylock.toml"
dr
assert_ids "$T/out" req.lock-environment

# --- req.lock-environment: no environment matches
L=$(lock env)
sed -i "2a environments = [\"sys_platform == 'win32'\", \"python_version < '3.8'\"]" "$L"
profile "$L"
dr
only_finding req.lock-environment "$L" 3 error
message_has "none of the lock's environments matches"
# one that matches is enough
sed -i "3s/]\$/, \"sys_platform == 'linux' and implementation_name == 'cpython'\"]/" "$L"
dr
assert_ids "$T/out"
# --- req.lock-environment: the lock's requires-python
L=$(lock rp)
sed -i "2a requires-python = '>=3.12'" "$L"
profile "$L"
dr
only_finding req.lock-environment "$L" 3 error
sed -i "3s/.*/requires-python = '>=3.8,<4'/" "$L"
dr
assert_ids "$T/out"
# --- req.lock-environment: a package's requires-python
L=$(lock pkgrp)
sed -i "/^name = 'flask'\$/a requires-python = '>=3.12'" "$L"
profile "$L"
dr
only_finding req.lock-environment "$L" "$(at_package "$L" flask)" error
message_has "flask 2.2.2 requires Python >=3.12"

# --- req.lock-environment: two entries of one package for this environment (the spec:
# an installer must refuse the ambiguity); one for another platform is fine
L=$(lock twice)
cat >>"$L" <<'EOF'

[[packages]]
name = 'flask'
version = '2.2.3'
marker = "sys_platform == 'win32'"
wheels = [{name = 'Flask-2.2.3-py3-none-any.whl', url = 'https://example.invalid/Flask-2.2.3-py3-none-any.whl', hashes = {sha256 = '00'}}]
EOF
profile "$L"
dr
assert_ids "$T/out"
sed -i "s/^marker = \"sys_platform == 'win32'\"\$/marker = \"sys_platform == 'linux'\"/" "$L"
dr
only_finding req.lock-environment "$L" "$(($(line_of "$L" "version = '2.2.3'") - 2))" error
message_has "flask has more than one entry for this environment"

# --- markers: a package for a dependency group applies when default-groups names it
L=$(lock groups)
cat >>"$L" <<'EOF'

[[packages]]
name = 'devtool'
version = '1.0'
marker = "'dev' in dependency_groups"
wheels = [{name = 'devtool-1.0-py3-none-any.whl', url = 'https://example.invalid/devtool-1.0-py3-none-any.whl', hashes = {sha256 = '0000000000000000000000000000000000000000000000000000000000000000'}}]

[[packages]]
name = 'winonly'
marker = "sys_platform == 'win32'"
vcs = {type = 'git', url = 'https://example.invalid/w.git', commit-id = 'abc'}
EOF
profile "$L"
dr
assert_ids "$T/out"
sed -i "2a default-groups = ['dev']" "$L"
dr
only_finding req.not-installed "$L" "$(at_package "$L" devtool)" error

# --- req.no-hash and req.unpinned in pylock terms
L=$(lock sources)
cat >>"$L" <<'EOF'

[[packages]]
name = 'fromgit'
vcs = {type = 'git', url = 'https://example.invalid/g.git', commit-id = 'abc'}
EOF
profile "$L"
dr
assert_ids "$T/out" req.no-hash req.not-installed
has_finding req.no-hash "$L" "$(at_package "$L" fromgit)" error
message_has "fromgit comes from version control (git+https://example.invalid/g.git@abc)"
# only an md5 (or sha1) hash proves nothing: req.no-hash; md5 next to sha256 is fine
L=$(lock weak)
sed -i "/^name = 'flask'/,/^wheels/s/hashes = {sha256 = '[0-9a-f]*'}/hashes = {md5 = '0123456789abcdef0123456789abcdef'}/" "$L"
profile "$L"
dr
only_finding req.no-hash "$L" "$(at_package "$L" flask)" error
message_has "flask has only md5 or sha1 hashes"
L=$(lock md5too)
sed -i "/^name = 'flask'/,/^wheels/s/hashes = {sha256/hashes = {md5 = '0123456789abcdef0123456789abcdef', sha256/" "$L"
profile "$L"
dr
assert_ids "$T/out"
L=$(lock noversion)
sed -i "/^version = '2.2.2'\$/d" "$L"
profile "$L"
dr
assert_ids "$T/out" req.unpinned req.unpinned
message_has "flask has no version in the lock"

# --- every violation of the specification is req.parse at the key's line, naming it
# bad_lock NAME LINE WORDS SED-SCRIPT: the example's lock changed by the script is
# req.parse at LINE (+N: N lines after flask's [[packages]] header).
bad_lock() {
	local name=$1 line=$2 words=$3 L
	L=$(lock "$name")
	sed -i "$4" "$L"
	profile "$L"
	dr
	assert_ids "$T/out" req.parse
	case $line in +*) line=$(($(at_package "$L" flask) $line)) ;; esac
	has_finding req.parse "$L" "$line" error
	message_has "$words"
	check "$name: exit 1" [ "$rc" = 1 ]
}
bad_lock version 1 "lock-version 2.0: deploy-run reads lock-version 1.x" "1s/1.0/2.0/"
bad_lock noversion 1 "lock-version: required" "1d"
bad_lock creator 1 "created-by: required" "2d"
bad_lock nohashes +3 "(flask).wheels[0].hashes: missing" \
	"/^name = 'flask'/,/^wheels/s/, hashes = {[^}]*}//"
bad_lock emptyhashes +3 "(flask).wheels[0].hashes: empty" \
	"/^name = 'flask'/,/^wheels/s/hashes = {[^}]*}/hashes = {}/"
bad_lock nosource +0 "packages[3] (flask): no source" "/^name = 'flask'/,/^wheels/{/^wheels/d}"
bad_lock twosources +2 "vcs, directory and archive each exclude every other source" \
	"/^name = 'flask'/a archive = {url = 'https://example.invalid/f.zip', hashes = {sha256 = 'ab'}}"
bad_lock vcs +3 "(flask).vcs.commit-id: required" \
	"/^name = 'flask'/,/^wheels/{/^wheels/s/.*/vcs = {type = 'git', url = 'u'}/}"
bad_lock marker +2 "(flask).marker: 'python_version >' is not a valid environment marker" \
	"/^name = 'flask'/a marker = 'python_version >'"
bad_lock type +2 "(flask).version: expected a string, not an integer" \
	"s/^version = '2.2.2'/version = 2/"
# and one that is not TOML: the TOML error, with the column
bad_lock toml 2 "column 16: invalid escape sequence" '2s/.*/created-by = "a\\x"/'
bad_lock dup +2 "column 1: name is defined twice" "/^name = 'flask'/a name = 'flask2'"

# --- init finds a pylock.toml or pylock.NAME.toml (a requirement file with hashes first)
# init_app NAME: a copy of the example app (without venv and wheelhouse) in $T/NAME.
init_app() {
	mkdir -p "$T/$1"
	tar -C "$EX" --exclude=./.venv --exclude=./wheelhouse -cf - . | tar -C "$T/$1" -xf -
}
init_app i1
rm "$T/i1/requirements.txt"
run_dr init "$T/i1"
check "init with a pylock.toml exits 0 ($(cat "$T/err"))" [ "$rc" = 0 ]
check "init names the pylock.toml" grep -q '^requirements = pylock.toml ' "$T/i1/profiles/base.ini"
init_app i2
rm "$T/i2/requirements.txt"
mv "$T/i2/pylock.toml" "$T/i2/pylock.web.toml"
cp "$T/i2/pylock.web.toml" "$T/i2/pylock.a.b.toml"
run_dr init "$T/i2"
check "init names the pylock.web.toml" grep -q '^requirements = pylock.web.toml ' "$T/i2/profiles/base.ini"
init_app i3
run_dr init "$T/i3"
check "init keeps the hashed requirements.txt when both are there" \
	grep -q '^requirements = requirements.txt ' "$T/i3/profiles/base.ini"

# --- bundle carries the pylock.toml; verify-bundle checks the wheels against it
example_checkout "$T/a"
cat >"$T/a/profiles/release.ini" <<'EOF'
[profile]
extends = prod
[app]
requirements = pylock.toml
[checks]
wheelhouse = wheelhouse
[bundle]
secrets_ok = .env.production
EOF
cd "$T"
run_dr --profiles a/profiles bundle release -o r.tar.gz
check "bundle with a pylock.toml exits 0 ($(cat err))" test "$rc" -eq 0
tar -tzf r.tar.gz >listing
check "the bundle holds the pylock.toml" grep -qx "pylock.toml" listing
run_dr verify-bundle r.tar.gz
check "verify-bundle of it exits 0 ($(cat err))" test "$rc" -eq 0
wheel=$(grep -o '^wheelhouse/click-[^ ]*\.whl$' listing | head -1)
$PY "$SOURCE_ROOT/tests/e2e/make-hostile-archives.py" tamper r.tar.gz wheel.tar.gz --wheel="$wheel"
run_dr verify-bundle wheel.tar.gz
check "verify-bundle finds a wheel the pylock.toml does not hash ($rc: $(cat err))" \
	bash -c "[ $rc -eq 1 ] && grep -q \"none of the lock's hashes for click\" '$T/err'"
run_dr unbundle r.tar.gz -C rel
check "unbundle works ($(cat err))" test "$rc" -eq 0
bash "$SOURCE_ROOT/dev/venv-tools/make-venv.sh" "$T/rel" >"$T/venv2.log" 2>&1 ||
	fail "make-venv.sh in the unbundled tree: $(tail -5 "$T/venv2.log")"
run_dr -C rel check release --only req --format json
check "check with the unbundled pylock.toml is clean ($rc: $(cat err))" test "$rc" -eq 0
assert_ids out

finish
