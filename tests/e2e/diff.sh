#!/bin/bash
# `deploy-run diff`: the example's staging and prod (the expected differences
# and nothing else), the JSON and text golden files, secrets (compared, never
# printed without --reveal, in any output), --ignore and [profile]
# expected_differences, workers = auto on both sides, locks that differ in a
# version or in hashes only (requirement files and pylock.toml), A B C, colour, and the errors (exit 2, file:line).
. "$(dirname "$0")/lib.sh"
set -e
cd "$SOURCE_ROOT"
G=$SOURCE_ROOT/tests/golden/diff

# A controlled process environment: the outputs must not depend on the caller's.
penv=(env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8)
dr() { set +e; "${penv[@]}" "$DEPLOY_RUN" "$@" >"$T/out" 2>"$T/err"; rc=$?; set -e; }
# names FILE: the differences of a JSON diff as SECTION.KEY, sorted, one line
names() { $PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(x["section"] + ("." + x["key"] if x["key"] is not None else "") for x in d["differences"])))' "$1"; }

# ---- the example: staging and prod ----
# prod.ini declares what production may change: the gate passes
dr diff staging prod
check "example: every difference declared, exit 0 ($rc)" [ "$rc" = 0 ]
check "example: counted" grep -qx 'no differences between staging and prod (10 expected, ignored; -v lists them)' "$T/out"
dr diff staging prod -v
check "example -v: exit 0" [ "$rc" = 0 ]
check "example -v: the expected ones listed after a heading" bash -c "
	sed -n '/^expected (/,\$p' '$T/out' | grep -qE '^  workers +2 ' &&
	grep -qx 'no differences between staging and prod (10 expected, ignored)' '$T/out' &&
	[ \$(grep -c '^  [^ ]' '$T/out') = 9 ]"
check "example -v: secrets still masked" grep -qE '^  SECRET_KEY +\*\*\*\* ' "$T/out"
check "example -v: every declaration is used" bash -c "! grep -q 'matching no difference' '$T/out'"
dr -v diff staging prod
check "global -v: the same" grep -q '^expected (' "$T/out"
dr diff staging prod -v --ignore 'server.bind,env.OLD_*'
check "-v: a declaration that matches no difference is named" \
	grep -qx 'declared, matching no difference: server.bind, env.OLD_\*' "$T/out"
# the same profiles without the declaration: what differs, and nothing else
EP=$T/e/profiles
mkdir -p "$EP"
cp profiles/staging.ini "$EP/"
sed 's|^root = ../example|root = '"$SOURCE_ROOT"'/example|' profiles/base.ini >"$EP/base.ini"
sed '/^expected_differences/,/^ /d' profiles/prod.ini >"$EP/prod.ini"
check "the copy has no declaration" bash -c "! grep -q 'expected_differences\|^ ' '$EP/prod.ini'"
dr -C "$T/e" diff staging prod --format json
check "example: exit 1" [ "$rc" = 1 ]
cp "$T/out" "$T/example.json"
want="dotenv.files env.APP_ENV env.APP_URL env.DATABASE_URL env.LOG_LEVEL env.SECRET_KEY server.max_requests server.max_requests_jitter server.workers stage"
got=$(names "$T/example.json")
check "example: the expected differences and nothing else (got: $got)" [ "$got" = "$want" ]
check "example: JSON fields" $PY - "$T/example.json" "$(nproc)" <<'EOF2'
import json, re, sys
d = json.load(open(sys.argv[1])); cpus = int(sys.argv[2])
assert list(d) == ["a", "b", "same", "differences"], list(d)
assert d["a"] == "staging" and d["b"] == "prod" and d["same"] is False
by = {(x["section"], x["key"]): x for x in d["differences"]}
for x in d["differences"]:
    assert list(x) == ["section", "key", "a", "b", "a_source", "b_source", "secret"], list(x)
w = by[("server", "workers")]
assert w["a"] == "2" and w["b"] == str(2 * cpus + 1), w
assert "auto" in w["b_source"], w
s = by[("stage", None)]
assert s["a"] == "staging" and s["b"] == "production"
j = by[("server", "max_requests_jitter")]
assert j["a"] is None and j["a_source"] is None and j["b"] == "100"
k = by[("env", "SECRET_KEY")]
assert k["secret"] is True and k["a"] == "****" and k["b"] == "****"
assert k["a_source"] == ".env.staging:5" and k["b_source"] == ".env.production:7", k
assert w["a_source"] == "profiles/staging.ini:10", w
assert re.fullmatch(r"profiles/prod\.ini:\d+ \(auto: %d usable CPUs?\)" % cpus, w["b_source"]), w
assert by[("env", "APP_ENV")]["secret"] is False
EOF2
dr -C "$T/e" diff staging prod
check "example text: exit 1" [ "$rc" = 1 ]
check "example text: the count" grep -qx '10 differences between staging and prod' "$T/out"
check "example text: one line per difference under its section" \
	bash -c "[ \$(grep -c '^  [^ ]' '$T/out') = 9 ] && grep -qx '\[server\]' '$T/out' && grep -q '^stage ' '$T/out'"
check "example text: workers" grep -qE '^  workers +2  \[profiles/staging.ini:10\] +[0-9]+  \[profiles/prod.ini:[0-9]+ \(auto' "$T/out"
check "example text: the B side starts under B's name on every line" $PY - "$T/out" <<'EOF2'
import sys
lines = open(sys.argv[1]).read().splitlines()
bcol = lines[0].rindex(" ") + 1
assert lines[0][bcol:] == "prod", lines[0]
rows = [l for l in lines[1:] if l.startswith("  ") or l.startswith("stage")]
assert len(rows) == 10, rows
for l in rows:
    assert l[bcol - 2:bcol] == "  " and l[bcol] != " ", (bcol, l)
EOF2
check "example text: no colour when not a terminal" bash -c "! grep -q $'\033' '$T/out'"
check "example: no secret value" bash -c "! grep -qE 'placeholder|pl4ceh0lder|Pr0d' '$T/out' '$T/example.json'"
dr diff prod prod
check "a profile and itself: exit 0" [ "$rc" = 0 ]
check "a profile and itself: no differences" grep -qx 'no differences between prod and prod' "$T/out"

# the values are what the server gets: each server setting that differs, against the
# argv show prints for each side (the argv run executes)
for p in staging prod; do "${penv[@]}" "$DEPLOY_RUN" -C "$T/e" show "$p" --format json >"$T/show-$p.json"; done
check "example: server settings as in the argv run executes" $PY - "$T/example.json" "$T/show-staging.json" "$T/show-prod.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
argv = {"a": json.load(open(sys.argv[2]))["argv"], "b": json.load(open(sys.argv[3]))["argv"]}
flag = {"workers": "--workers", "max_requests": "--max-requests",
        "max_requests_jitter": "--max-requests-jitter", "bind": "--bind", "timeout": "--timeout"}
seen = 0
for x in d["differences"]:
    if x["section"] != "server":
        continue
    for side in "ab":
        a, f = argv[side], flag[x["key"]]
        if x[side] is None:
            assert f not in a, (x, a)
        elif x[side] == "0" and f not in a:
            pass  # gunicorn's default: 0, never restart
        else:
            assert a[a.index(f) + 1] == x[side], (x, side, a)
        seen += 1
assert seen == 6, seen
EOF2

# ---- locks in either format: pylock.toml (PEP 751) and requirements.txt ----
mkdir -p "$T/p/app" "$T/p/profiles"
cp example/requirements.txt example/pylock.toml "$T/p/app/"
printf '[app]\nroot = ../app\nmodule = m:app\n' >"$T/p/profiles/txt.ini"
printf '[app]\nroot = ../app\nmodule = m:app\nrequirements = pylock.toml\n' >"$T/p/profiles/toml.ini"
dr -C "$T/p" diff txt toml --format json
check "pylock.toml against the requirements it was made from: only the file (exit $rc)" \
	[ "$(names "$T/out")" = "lock.file" ]
# flask a new version; click the same version with another wheel hash
sed -e "2a requires-python = '>=3.11'\\nenvironments = [\"sys_platform == 'linux'\"]" \
	-e "/^name = 'flask'/{n;s/^version = .*/version = '2.2.3'/}" \
	-e "/click-8.1.3-py3-none-any.whl/s/sha256 = '[0-9a-f]*'/sha256 = '$(printf '%064d' 7)'/" \
	example/pylock.toml >"$T/p/app/pylock.new.toml"
printf '[app]\nroot = ../app\nmodule = m:app\nrequirements = pylock.new.toml\n' >"$T/p/profiles/new.ini"
dr -C "$T/p" diff toml new --format json
check "pylock: a version, a hash, where it may be installed (exit $rc)" \
	[ "$(names "$T/out")" = "lock.click lock.environments lock.file lock.flask lock.requires-python" ]
check "pylock: the version, and the hashes only" $PY - "$T/out" <<'EOF2'
import json, sys
by = {(x["section"], x["key"]): x for x in json.load(open(sys.argv[1]))["differences"]}
f = by[("lock", "flask")]
assert (f["a"], f["b"]) == ("2.2.2", "2.2.3"), f
assert f["a_source"].startswith("pylock.toml:") and f["b_source"].startswith("pylock.new.toml:"), f
r = by[("lock", "requires-python")]
assert r["a"] is None and r["b"] == ">=3.11" and r["b_source"] == "pylock.new.toml:3", r
e = by[("lock", "environments")]
assert e["b"] == "sys_platform == 'linux'" and e["b_source"] == "pylock.new.toml:4", e
c = by[("lock", "click")]
assert c["a"].startswith("8.1.3 sha256:997f71a7") and c["b"] == "8.1.3 sha256:" + "0" * 63 + "7", c
EOF2

# ---- effective values: a setting from outside deploy-run's argv ----
# GUNICORN_CMD_ARGS on one side: what deploy-run pins stays (max_requests, workers),
# what it cannot pin (gunicorn has no --no-reload) is what the server runs with
mkdir -p "$T/o/profiles"
cp "$T/e/profiles/base.ini" "$T/o/profiles/"
printf '[profile]\nextends = base\n' >"$T/o/profiles/a.ini"
printf '[profile]\nextends = base\n[vars]\nGUNICORN_CMD_ARGS = --reload --max-requests 7 --workers 9\n' \
	>"$T/o/profiles/b.ini"
dr -C "$T/o" diff a b --format json
check "outside input: exit 1" [ "$rc" = 1 ]
check "outside input: the effective values" $PY - "$T/out" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
by = {(x["section"], x["key"]): x for x in d["differences"]}
assert sorted(by) == [("env", "GUNICORN_CMD_ARGS"), ("server", "max_requests"), ("server", "reload")], sorted(by)
r = by[("server", "reload")]
assert r["a"] is None and r["b"] == "True", r
assert r["b_source"] == "GUNICORN_CMD_ARGS from [vars], profiles/b.ini:4", r
m = by[("server", "max_requests")]
assert m["a"] is None and m["b"] == "0" and "overrides GUNICORN_CMD_ARGS" in m["b_source"], m
EOF2

# ---- a venv with the system's site-packages (Debian's python3 -m venv) ----
mkdir -p "$T/v/profiles"
/usr/bin/python3 -m venv --system-site-packages --without-pip "$T/v/sysvenv"
sed 's|^root = ../example|root = '"$SOURCE_ROOT"'/example|' profiles/base.ini >"$T/v/profiles/base.ini"
printf '[profile]\nextends = base\n' >"$T/v/profiles/own.ini"
printf '[profile]\nextends = base\n[app]\nvenv = %s\n' "$T/v/sysvenv" >"$T/v/profiles/sys.ini"
dr -C "$T/v" diff own sys --format json
check "system site-packages venv: exit 1" [ "$rc" = 1 ]
check "system site-packages venv: the venv and what the server sees of it" \
	[ "$(names "$T/out")" = "app.venv env.PATH env.VIRTUAL_ENV" ]
check "system site-packages venv: the same Python on both sides, from pyvenv.cfg" \
	bash -c "'$DEPLOY_RUN' -C '$T/v' diff own sys --ignore 'app.venv,env.*' >/dev/null"
# a venv made by another interpreter: app.python says which, from pyvenv.cfg
mkdir -p "$T/v/oldvenv/bin"
printf 'home = /opt/python3.9/bin\ninclude-system-site-packages = false\nversion = 3.9.2\n' \
	>"$T/v/oldvenv/pyvenv.cfg"
printf '[profile]\nextends = base\n[app]\nvenv = %s\n' "$T/v/oldvenv" >"$T/v/profiles/old.ini"
dr -C "$T/v" diff sys old --format json
check "another interpreter: app.python differs" $PY - "$T/out" "$T/v" <<'EOF2'
import json, platform, sys
d = json.load(open(sys.argv[1]))
p = [x for x in d["differences"] if (x["section"], x["key"]) == ("app", "python")][0]
assert p["a"] == platform.python_version() and p["b"] == "3.9.2", p
assert p["a_source"] == sys.argv[2] + "/sysvenv/pyvenv.cfg:" + p["a_source"].rsplit(":", 1)[1], p
assert p["b_source"] == sys.argv[2] + "/oldvenv/pyvenv.cfg:3", p
EOF2

# ---- golden files ----
set +e
(cd "$G/app" && "${penv[@]}" "$DEPLOY_RUN" diff staging prod --format json) >"$T/golden.json"
grc=$?
(cd "$G/app" && "${penv[@]}" "$DEPLOY_RUN" diff staging prod) >"$T/golden.txt"
set -e
check "golden: exit 1" [ "$grc" = 1 ]
check "golden: JSON as tests/golden/diff/staging-prod.json" diff -u "$G/staging-prod.json" "$T/golden.json"
check "golden: text as tests/golden/diff/staging-prod.txt" diff -u "$G/staging-prod.txt" "$T/golden.txt"
check "golden: the JSON parses" $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/golden.json"
# the lock: a version that differs, and hashes only
check "golden: lock version" $PY - "$T/golden.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
by = {(x["section"], x["key"]): x for x in d["differences"]}
f = by[("lock", "flask")]
assert f["a"] == "3.0.0" and f["b"] == "3.0.2", f
i = by[("lock", "idna")]
assert i["a"].startswith("3.6 sha256:3333") and i["b"].startswith("3.6 sha256:5555"), i
assert ("lock", "click") not in by
assert ("env", "DB_PASSWORD") not in by      # an equal secret is no difference
EOF2
check "golden text: hashes only" grep -qE '^  idna .*\(hashes differ\)$' "$T/golden.txt"

# ---- secrets ----
A_SECRET=tok-a-5d71c0e2  B_SECRET=tok-b-93aa41f6
P=$T/s/profiles
mkdir -p "$P" "$T/s/app"
printf 'APP_NAME=same\n' >"$T/s/app/.env"
cat >"$P/base.ini" <<EOT
[app]
root = ../app
module = shop.wsgi:app
[server]
workers = 3
[env]
files = .env
EOT
printf '[profile]\nextends = base\n[vars]\nAPI_TOKEN = %s\nSAME_TOKEN = equal-7e\n' "$A_SECRET" >"$P/a.ini"
printf '[profile]\nextends = base\n[vars]\nAPI_TOKEN = %s\nSAME_TOKEN = equal-7e\n' "$B_SECRET" >"$P/b.ini"
printf '[profile]\nextends = base\n[vars]\nAPI_TOKEN %s\n' "$A_SECRET" >"$P/broken.ini"
no_secret() {  # DESC FILE...
	check "$1: neither secret value" bash -c "! grep -qF -e '$A_SECRET' -e '$B_SECRET' ${*:2}"
}
dr --profiles "$P" diff a b
check "secret: exit 1" [ "$rc" = 1 ]
check "secret: the one difference is the key" grep -qE '^  API_TOKEN +\*\*\*\*.*\*\*\*\*.*\(secret: the values differ\)$' "$T/out"
check "secret: one difference" grep -qx '1 difference between a and b' "$T/out"
no_secret "secret text" "$T/out" "$T/err"
dr --profiles "$P" diff a b --format json
check "secret json: exit 1" [ "$rc" = 1 ]
check "secret json: listed as secret, masked" $PY - "$T/out" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
assert [(x["section"], x["key"], x["a"], x["b"], x["secret"]) for x in d["differences"]] == \
    [("env", "API_TOKEN", "****", "****", True)], d
EOF2
no_secret "secret json" "$T/out" "$T/err"
dr -v --profiles "$P" diff a b
check "secret -v: exit 1" [ "$rc" = 1 ]
no_secret "secret -v" "$T/out" "$T/err"
dr --profiles "$P" diff a b broken
check "secret, a profile that does not load: exit 2" [ "$rc" = 2 ]
check "secret, a profile that does not load: file:line" grep -qE 'broken.ini:4: error' "$T/err"
no_secret "secret errors" "$T/out" "$T/err"
dr --profiles "$P" diff a b --reveal
check "reveal: exit 1" [ "$rc" = 1 ]
check "reveal: both values" grep -qE "^  API_TOKEN +$A_SECRET .*$B_SECRET" "$T/out"
dr --profiles "$P" diff a b --reveal --format json
check "reveal json: both values" $PY - "$T/out" "$A_SECRET" "$B_SECRET" <<'EOF2'
import json, sys
x = json.load(open(sys.argv[1]))["differences"][0]
assert x["a"] == sys.argv[2] and x["b"] == sys.argv[3] and x["secret"] is True, x
EOF2
# a secret on one side only: secret on both (the other side's globs count too)
printf '[profile]\nextends = base\n[env]\nsecrets = NOTHING\n[vars]\nAPI_TOKEN = %s\nSAME_TOKEN = equal-7e\n' "$B_SECRET" >"$P/c.ini"
dr --profiles "$P" diff a c --format json
check "secret on one side: exit 1" [ "$rc" = 1 ]
no_secret "secret on one side" "$T/out" "$T/err"

# ---- --ignore and expected_differences ----
ignore_all="stage,server.workers,server.max_requests*,dotenv.files,env.*"
dr -C "$T/e" diff staging prod --ignore "$ignore_all"
check "--ignore everything: exit 0" [ "$rc" = 0 ]
check "--ignore everything: counted" grep -qx 'no differences between staging and prod (10 expected, ignored; -v lists them)' "$T/out"
dr -C "$T/e" diff staging prod --ignore stage --ignore 'env.*' --format json
check "--ignore some: exit 1" [ "$rc" = 1 ]
check "--ignore some: the rest listed" [ "$(names "$T/out")" = "dotenv.files server.max_requests server.max_requests_jitter server.workers" ]
# declared in staging (either side of the pair counts), some of them
sed -i "s|^stage = staging|stage = staging\nexpected_differences = stage, env.*|" "$EP/staging.ini"
dr -C "$T/e" diff staging prod --format json
check "expected_differences, some: exit 1" [ "$rc" = 1 ]
check "expected_differences, some: the rest listed" [ "$(names "$T/out")" = "dotenv.files server.max_requests server.max_requests_jitter server.workers" ]

# ---- workers = auto ----
W=$T/w/profiles
mkdir -p "$W" "$T/w/app"
for n in one two; do
	printf '[app]\nroot = ../app\nmodule = m:app\n[server]\nworkers = auto\n' >"$W/$n.ini"
done
dr --profiles "$W" diff one two
check "auto on both sides: no difference (exit $rc)" [ "$rc" = 0 ]
printf '[app]\nroot = ../app\nmodule = m:app\n[server]\nworkers = auto\nworker_class = gevent\n' >"$W/async.ini"
dr --profiles "$W" diff one async --format json
check "auto, another worker class: workers differ" [ "$(names "$T/out")" = "server.worker_class server.workers" ]
check "auto resolved on each side" $PY - "$T/out" "$(nproc)" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1])); cpus = int(sys.argv[2])
w = [x for x in d["differences"] if x["key"] == "workers"][0]
assert w["a"] == str(2 * cpus + 1) and w["b"] == str(cpus), w
EOF2

# ---- A B C ----
dr diff staging prod dev --format json
check "A B C: exit 1" [ "$rc" = 1 ]
check "A B C: B and C each against A" $PY - "$T/out" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
assert [(x["a"], x["b"]) for x in d] == [("staging", "prod"), ("staging", "dev")], d
EOF2
dr diff staging prod dev
check "A B C text: two counts" bash -c "grep -qx 'no differences between staging and prod (10 expected, ignored; -v lists them)' '$T/out' && grep -qE '^[0-9]+ differences between staging and dev' '$T/out'"

# ---- colour ----
if script -qec true /dev/null >/dev/null 2>&1; then
	"${penv[@]}" TERM=xterm script -qec "$DEPLOY_RUN diff staging dev" /dev/null >"$T/tty" || true
	check "terminal: colour" grep -q $'\033\\[3[12]m' "$T/tty"
	"${penv[@]}" TERM=xterm NO_COLOR=1 script -qec "$DEPLOY_RUN diff staging dev" /dev/null >"$T/tty" || true
	check "terminal, NO_COLOR: none" bash -c "! grep -q $'\033\\[' '$T/tty'"
	"${penv[@]}" TERM=xterm script -qec "$DEPLOY_RUN diff staging dev --no-color" /dev/null >"$T/tty" || true
	check "terminal, --no-color: none" bash -c "! grep -q $'\033\\[' '$T/tty'"
	"${penv[@]}" TERM=xterm script -qec "$DEPLOY_RUN --no-color diff staging dev" /dev/null >"$T/tty" || true
	check "terminal, global --no-color: none" bash -c "! grep -q $'\033\\[' '$T/tty'"
fi

# ---- errors: exit 2 ----
dr diff staging
check "one profile: exit 2" [ "$rc" = 2 ]
check "one profile: says so" grep -q 'diff needs two PROFILEs' "$T/err"
dr diff staging prod --format xml
check "bad format: exit 2" [ "$rc" = 2 ]
dr diff staging prod --bogus
check "unknown option: exit 2" [ "$rc" = 2 ]
dr diff staging nosuch
check "missing profile: exit 2" [ "$rc" = 2 ]
check "missing profile: named" grep -q 'nosuch' "$T/err"
printf '[server]\nworkers = many\n' >"$W/bad.ini"
dr --profiles "$W" diff one bad
check "bad value: exit 2" [ "$rc" = 2 ]
check "bad value: file:line" grep -qE 'bad.ini:2: error' "$T/err"
check "bad value: nothing on stdout" [ ! -s "$T/out" ]
mkdir -p "$T/l/app" "$T/l/profiles"
printf 'flask==3.0.0 --hash=md5:00\n' >"$T/l/app/requirements.txt"
printf '[app]\nroot = ../app\nmodule = m:app\n' >"$T/l/profiles/a.ini"
dr --profiles "$T/l/profiles" diff a a
check "a lock that does not parse: exit 2" [ "$rc" = 2 ]
check "a lock that does not parse: file:line" grep -qF 'requirements.txt:1:14: error' "$T/err"
dr diff --help
check "help: exit 0" [ "$rc" = 0 ]
check "help: the options" grep -q -- '--ignore GLOBS' "$T/out"

finish
