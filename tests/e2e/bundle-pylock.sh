#!/bin/bash
# Release bundles of an app locked by a pylock.toml (PEP 751): the lock is bundled and named
# in the MANIFEST, and bundle matches the wheelhouse against it through checks/lockfile (the
# bundle code has no lock reader of its own): a wheel the lock does not hash and a locked
# package without a wheel stop it; a changed lock inside the archive fails verify-bundle.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
set -e
HOSTILE=$SOURCE_ROOT/tests/e2e/make-hostile-archives.py

example_checkout "$T/a"
app=$T/a/example
$PY "$SOURCE_ROOT/dev/venv-tools/pylock-from-requirements.py" "$app/requirements.txt" \
	"$app/wheelhouse" >"$app/pylock.toml"
rm "$app/requirements.txt"
cat >"$T/a/profiles/rel.ini" <<'EOF'
[profile]
extends = prod

[app]
requirements = pylock.toml

[checks]
wheelhouse = wheelhouse
EOF
cd "$T"
run_dr --profiles a/profiles bundle rel -o rel.tar.gz
check "bundle of a pylock.toml app exits 0 ($rc: $(cat err))" test "$rc" -eq 0
tar -xOzf rel.tar.gz MANIFEST >manifest
check "the MANIFEST names pylock.toml as the lock" grep -qx 'lock pylock.toml' manifest
check "pylock.toml is bundled" grep -q ' pylock.toml$' manifest
check "the wheels are bundled" grep -q ' wheelhouse/click-.*\.whl$' manifest
run_dr verify-bundle rel.tar.gz
check "verify-bundle exits 0 ($rc: $(cat err))" test "$rc" -eq 0

# (a wheel the lock does not hash inside the archive: tests/e2e/check-pylock.sh)
# the lock's own bytes changed inside the archive: the MANIFEST catches it first
$PY "$HOSTILE" tamper rel.tar.gz lock.tar.gz --modify=pylock.toml
run_dr verify-bundle lock.tar.gz
check "verify-bundle finds the changed pylock.toml ($rc: $(cat err))" \
	bash -c "[ $rc -eq 1 ] && grep -q '^deploy-run: lock.tar.gz: error: pylock.toml: .*SHA-256' err"

# bundle itself refuses a wheelhouse that does not match the pylock.toml
cp -a a w
echo junk >>"$(ls "$T"/w/example/wheelhouse/click-*.whl)"
run_dr --profiles w/profiles bundle rel -o w.tar.gz
check "bundle refuses a wheel the pylock.toml does not hash ($rc: $(cat err))" \
	bash -c "[ $rc -eq 2 ] && grep -q 'none of the lock.s hashes for click' '$T/err' && \
		[ ! -e w.tar.gz ]"
cp -a a m
rm "$T"/m/example/wheelhouse/Flask-*.whl
run_dr --profiles m/profiles bundle rel -o m.tar.gz
check "bundle refuses a locked package without a wheel ($rc: $(cat err))" \
	bash -c "[ $rc -eq 2 ] && grep -q 'pylock.toml:[0-9]*: flask==.* has no wheel in wheelhouse' \
		'$T/err' && [ ! -e m.tar.gz ]"

finish
