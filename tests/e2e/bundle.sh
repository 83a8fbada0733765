#!/bin/bash
# Release bundles: reproducible bytes (twice, from another checkout path, under another
# umask), what goes in and what stays out, verify-bundle catching a tampered, an extra and a
# missing entry and a wheel the lock does not hash, and unbundle then check (with the venv
# made from the bundled wheelhouse, as on a production host).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
set -e
HOSTILE=$SOURCE_ROOT/tests/e2e/make-hostile-archives.py

example_venv

# A checkout: the example app and its profiles, plus a release profile that bundles the
# wheelhouse and the production .env file, and the litter a working tree collects.
example_checkout "$T/a"
cat >"$T/a/profiles/release.ini" <<'EOF'
[profile]
extends = prod

[checks]
wheelhouse = wheelhouse

[bundle]
secrets_ok = .env.production
exclude = *.log
EOF
app=$T/a/example
mkdir -p "$app/.git" "$app/webapp/__pycache__" "$app/other-venv" "$app/static/css"
echo "ref: refs/heads/main" >"$app/.git/HEAD"
echo x >"$app/webapp/__pycache__/wsgi.cpython-311.pyc"
echo x >"$app/webapp/stale.pyc"
echo "home = /usr/bin" >"$app/other-venv/pyvenv.cfg"
echo "log" >"$app/server.log"
echo "body{}" >"$app/static/css/site.css"
ln -s css/site.css "$app/static/site.css"
printf '#!/bin/sh\necho migrate\n' >"$app/migrate.sh"
chmod 0755 "$app/migrate.sh"
chmod 0600 "$app/webapp/settings.py"
touch -d @1700000000 "$app/static/css/site.css"

cd "$T"
run_dr --profiles a/profiles bundle release -o r1.tar.gz
check "bundle exits 0 ($(cat err))" test "$rc" -eq 0
grep -q "left out .env.development: it holds the secret" err ||
	fail "no note about the left-out .env.development: $(cat err)"
pass
sleep 1.1
run_dr --profiles a/profiles bundle release -o r2.tar.gz
check "the same inputs bundled twice give the same bytes" cmp -s r1.tar.gz r2.tar.gz

# Another checkout path, files copied with their mtimes, another umask, other group/other
# permission bits: the same bytes.
cp -a a b
chmod g+w,o-r "$T/b/example/README.md"
(umask 077 && "$DEPLOY_RUN" -q --profiles b/profiles bundle release -o r3.tar.gz)
check "another path and umask give the same bytes" cmp -s r1.tar.gz r3.tar.gz
# A fresh copy has new mtimes: SOURCE_DATE_EPOCH makes both the same.
cp -r a c
SOURCE_DATE_EPOCH=1700000000 "$DEPLOY_RUN" -q --profiles a/profiles bundle release -o s1.zip
SOURCE_DATE_EPOCH=1700000000 "$DEPLOY_RUN" -q --profiles c/profiles bundle release -o s2.zip
check "zip with SOURCE_DATE_EPOCH from a fresh copy: the same bytes" cmp -s s1.zip s2.zip
SOURCE_DATE_EPOCH=1700000000 "$DEPLOY_RUN" -q --profiles a/profiles bundle release -o s1.tar.zst
SOURCE_DATE_EPOCH=1700000000 "$DEPLOY_RUN" -q --profiles c/profiles bundle release -o s2.tar.zst
check "tar.zst from a fresh copy: the same bytes" cmp -s s1.tar.zst s2.tar.zst

# The gzip header holds no time and no name; owners, modes, mtimes are normalised.
$PY - r1.tar.gz s1.zip <<'EOF' || fail "archive metadata not normalised"
import sys, tarfile, zipfile
raw = open(sys.argv[1], "rb").read(10)
assert raw[:3] == b"\x1f\x8b\x08", raw
assert raw[3] & 0x08 == 0, "FNAME set"
assert raw[4:8] == b"\0\0\0\0", "MTIME set"
t = tarfile.open(sys.argv[1])
ms = t.getmembers()
assert ms[0].name == "MANIFEST", ms[0].name
names = [m.name for m in ms[1:]]
assert names == sorted(names), names
newest = max(m.mtime for m in ms)
for m in ms:
    assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", ""), (m.name, m.uid, m.uname)
    assert m.mtime == newest, (m.name, m.mtime)
    if m.isdir():
        assert m.mode == 0o755, (m.name, oct(m.mode))
    elif m.isreg():
        assert m.mode in (0o644, 0o755), (m.name, oct(m.mode))
modes = {m.name: m.mode for m in ms}
assert modes["migrate.sh"] == 0o755 and modes["webapp/settings.py"] == 0o644, modes
z = zipfile.ZipFile(sys.argv[2])
assert z.namelist()[0] == "MANIFEST"
assert all(i.date_time == (2023, 11, 14, 22, 13, 20) for i in z.infolist()), \
    [i.date_time for i in z.infolist()]
EOF
pass

# What is in and what is out.
tar -xzf r1.tar.gz -O MANIFEST >manifest
manifest_has() { grep -q -- "$1" manifest; }
check "MANIFEST header" test "$(head -1 manifest)" = "deploy-run-bundle 1"
check "MANIFEST names the profile" manifest_has '^profile release$'
check "MANIFEST names the chain" manifest_has '^chain base prod release$'
check "MANIFEST names the lock" manifest_has '^lock requirements.txt$'
check "MANIFEST names the wheelhouse" manifest_has '^wheelhouse wheelhouse$'
check "MANIFEST has the version" manifest_has "^version $("$DEPLOY_RUN" --version | cut -d' ' -f2)$"
check "the app's files are in" manifest_has '^f 0644 [0-9]* [0-9a-f]\{64\} webapp/wsgi.py$'
check "the executable is 0755" manifest_has '^f 0755 [0-9]* [0-9a-f]\{64\} migrate.sh$'
check "the symlink is in" manifest_has '^l css/site.css static/site.css$'
check "the wheels are in" manifest_has ' wheelhouse/gunicorn-.*\.whl$'
check "the profiles are in" manifest_has ' profiles/release.ini$'
check ".env without secrets is in" manifest_has ' \.env$'
check ".env.production (secrets_ok) is in" manifest_has ' \.env\.production$'
for out in .env.development .env.staging .venv .git __pycache__ stale.pyc other-venv server.log; do
	check "$out is left out" bash -c "! grep -q -- ' [^ ]*$out' manifest"
done
"$DEPLOY_RUN" -q --profiles a/profiles bundle prod -o prod.tar.gz
check "the wheelhouse is left out when not configured" \
	bash -c "! tar -tzf prod.tar.gz | grep -q wheelhouse"
check "the profiles' root is rewritten to the bundle's top" \
	bash -c "tar -xzf r1.tar.gz -O profiles/base.ini | grep -q '^root = \.\. '"

# verify-bundle
run_dr verify-bundle r1.tar.gz
check "verify-bundle of a good bundle exits 0 ($(cat err))" test "$rc" -eq 0
for f in s1.zip s1.tar.zst; do
	run_dr verify-bundle $f
	check "verify-bundle $f exits 0 ($(cat err))" test "$rc" -eq 0
done
expect_bad() { # ARCHIVE WORDS...: verify-bundle exits 1 and names the archive and the problem
	local a=$1; shift
	run_dr verify-bundle "$a"
	if [ "$rc" -ne 1 ] || ! grep -q "^deploy-run: $a: error: .*$*" err; then
		fail "verify-bundle $a: rc=$rc, expected 1 and '$*': $(cat err)"
	else pass; fi
}
$PY "$HOSTILE" tamper r1.tar.gz tampered.tar.gz --modify=webapp/wsgi.py
expect_bad tampered.tar.gz "webapp/wsgi.py: .*does not match the SHA-256 in the MANIFEST"
$PY "$HOSTILE" tamper r1.tar.gz extra.tar.gz --add=webapp/extra.py
expect_bad extra.tar.gz "webapp/extra.py: is not in the MANIFEST"
$PY "$HOSTILE" tamper r1.tar.gz missing.tar.gz --drop=webapp/asgi.py
expect_bad missing.tar.gz "webapp/asgi.py: is in the MANIFEST but missing"
wheel=$(grep -o 'wheelhouse/click-[^ ]*\.whl$' manifest)
$PY "$HOSTILE" tamper r1.tar.gz wheel.tar.gz --wheel="$wheel"
expect_bad wheel.tar.gz "$wheel: its sha256 .* is none of the lock's hashes for click"
# Malformed input is exit 2.
head -c 3000 r1.tar.gz >truncated.tar.gz
run_dr verify-bundle truncated.tar.gz
check "a truncated archive is exit 2 ($rc: $(cat err))" test "$rc" -eq 2
echo "not an archive" >junk.tar.gz
run_dr verify-bundle junk.tar.gz
check "junk is exit 2 ($rc)" test "$rc" -eq 2
run_dr verify-bundle nonexistent.tar.gz
check "a missing file is exit 2 ($rc)" test "$rc" -eq 2
run_dr bundle release -o x.rar
check "an unknown extension is a usage error" test "$rc" -eq 2

# A wheel that does not match the lock stops bundle itself.
cp -a a w
echo junk >>"$(ls "$T"/w/example/wheelhouse/click-*.whl)"
run_dr --profiles w/profiles bundle release -o w.tar.gz
check "bundle refuses a wheel that does not match the lock ($rc)" \
	bash -c "[ $rc -eq 2 ] && grep -q 'does not match the lock' '$T/err' && [ ! -e w.tar.gz ]"

# unbundle: refuses a non-empty DIR, leaves nothing for a bad bundle, then a good one works.
mkdir full && echo keep >full/keep
run_dr unbundle r1.tar.gz -C full
check "unbundle into a non-empty directory is exit 2 ($rc)" \
	bash -c "[ $rc -eq 2 ] && [ \"\$(ls full)\" = keep ]"
check "and says what DIR must be" grep -q "full: error: exists and is not empty: unbundle writes into a new or empty directory" "$T/err"
run_dr unbundle tampered.tar.gz -C bad
check "unbundle of a tampered bundle is exit 1 ($rc)" test "$rc" -eq 1
check "and creates nothing" bash -c "[ ! -e bad ] && ! ls -a | grep -q unbundle"
mkdir empty
run_dr unbundle r1.tar.gz -C empty
check "unbundle into an empty directory works ($(cat err))" test "$rc" -eq 0
check "the unpacked tree matches" cmp -s empty/webapp/wsgi.py a/example/webapp/wsgi.py
run_dr unbundle r1.tar.gz -C rel
check "unbundle into a new directory works ($(cat err))" test "$rc" -eq 0
check "unpacked modes" bash -c "[ \$(stat -c %a rel/migrate.sh) = 755 ] &&
	[ \$(stat -c %a rel/webapp) = 755 ] && [ \"\$(readlink rel/static/site.css)\" = css/site.css ]"
check "no temporary directory is left" bash -c "! ls -a | grep -q unbundle"

# The unpacked bundle is self-contained: the venv from its wheelhouse, then check is clean.
bash "$SOURCE_ROOT/dev/venv-tools/make-venv.sh" "$T/rel" >"$T/venv2.log" 2>&1 ||
	fail "make-venv.sh from the bundled wheelhouse: $(tail -5 "$T/venv2.log")"
run_dr -C rel check release --format json
check "check in the unpacked bundle is clean ($rc: $(cat err))" test "$rc" -eq 0
assert_ids out
run_dr -C rel show release --format json
check "the unpacked profiles' root is the unpacked directory" \
	test "$(json_get out 'd["root"]')" = "$T/rel"

finish
