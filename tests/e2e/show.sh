#!/bin/bash
# `show` of each example profile, text and JSON, compared field by field.
. "$(dirname "$0")/lib.sh"
set -e
cd "$SOURCE_ROOT"
root="$SOURCE_ROOT/example"
venv="$root/.venv"
cpus=$(nproc)

# A controlled process environment: what the tests assert must not depend on the caller's.
penv=(env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8)

expect_json() {  # NAME PYTHON-ASSERTIONS
	"${penv[@]}" "$DEPLOY_RUN" show "$1" --format json >"$T/$1.json" 2>"$T/err" || { fail "show $1 failed"; cat "$T/err"; return; }
	if $PY - "$T/$1.json" "$root" "$venv" "$cpus" <<EOF2; then pass; else fail "show $1 --format json"; fi
import json, sys
d = json.load(open(sys.argv[1])); root, venv, cpus = sys.argv[2], sys.argv[3], int(sys.argv[4])
env = d["env"]
def v(k): return env[k]["value"]
def s(k): return env[k]["source"]
$2
EOF2
}

expect_json prod '
assert d["profile"] == "prod", d["profile"]
assert d["chain"] == ["base", "prod"], d["chain"]
assert d["stage"] == "production"
assert d["root"] == root and d["cwd"] == root
a = d["argv"]
assert a[0] == venv + "/bin/gunicorn", a[0]
assert a[a.index("--bind") + 1] == "0.0.0.0:8000"
assert a[a.index("--workers") + 1] == str(2 * cpus + 1), a
assert a[a.index("--worker-class") + 1] == "sync"
assert a[a.index("--timeout") + 1] == "30"
assert a[a.index("--graceful-timeout") + 1] == "20"
assert a[a.index("--max-requests") + 1] == "1000"
assert a[a.index("--forwarded-allow-ips") + 1] == "127.0.0.1"
assert a[-1] == "webapp.wsgi:app"
assert "--reload" not in a
assert v("SECRET_KEY") == "****" and s("SECRET_KEY") == ".env.production:7", env["SECRET_KEY"]
assert v("DATABASE_URL") == "****"
assert v("APP_ENV") == "production" and s("APP_ENV") == ".env.production:4"
assert v("APP_NAME") == "deploy-run example" and s("APP_NAME") == ".env:4"
assert v("APP_URL") == "https://app.example.com", v("APP_URL")
assert v("PYTHONUNBUFFERED") == "1" and s("PYTHONUNBUFFERED") == "profile"
assert v("VIRTUAL_ENV") == venv and s("VIRTUAL_ENV") == "deploy-run"
assert v("PATH") == venv + "/bin:/usr/bin:/bin" and s("PATH") == "deploy-run"
assert v("HOME") == "/root" and s("HOME") == "process"
assert list(d.keys()) == ["profile", "chain", "stage", "root", "cwd", "argv", "server", "env"]
# each server setting by gunicorn'"'"'s name, with its effective value and source
sv = d["server"]
assert sv["workers"]["value"] == str(2 * cpus + 1) and sv["workers"]["source"] == "profiles/prod.ini:16", sv["workers"]
assert sv["timeout"] == {"value": "30", "source": "profiles/base.ini:19", "overrides": None}, sv["timeout"]
assert sv["forwarded_allow_ips"]["value"] == "127.0.0.1"
'
expect_json dev '
assert d["chain"] == ["base", "dev"] and d["stage"] == "development"
a = d["argv"]
assert a[0] == venv + "/bin/uvicorn" and a[1] == "webapp.asgi:app", a
assert a[a.index("--host") + 1] == "127.0.0.1" and a[a.index("--port") + 1] == "8000"
assert "--reload" in a and "--workers" not in a
assert a[a.index("--log-level") + 1] == "debug"
assert v("LOG_LEVEL") == "debug" and s("LOG_LEVEL") == ".env.development:3"
assert v("APP_URL") == "http://localhost:8000"
assert s("SECRET_KEY") == ".env.development:5" and v("SECRET_KEY") == "****"
'
expect_json staging '
assert d["chain"] == ["base", "staging"] and d["stage"] == "staging"
a = d["argv"]
assert a[a.index("--workers") + 1] == "2"
assert v("APP_ENV") == "staging"
'

# --reveal shows secrets; the process environment wins over the files (process = wins)
"${penv[@]}" SECRET_KEY=from-process HOST=h.example "$DEPLOY_RUN" show prod --format json --reveal >"$T/r.json"
check "--reveal shows the secret from the process" [ "$(json_get "$T/r.json" 'd["env"]["SECRET_KEY"]["value"]')" = from-process ]
check "the process value's source is process" [ "$(json_get "$T/r.json" 'd["env"]["SECRET_KEY"]["source"]')" = process ]
check "interpolation sees the process environment" [ "$(json_get "$T/r.json" 'd["env"]["APP_URL"]["value"]')" = https://h.example ]
check "--reveal shows DATABASE_URL" grep -q 'postgresql://webapp:Pr0d' "$T/r.json"
"${penv[@]}" "$DEPLOY_RUN" show prod --format json >"$T/m.json"
check "no secret value without --reveal" bash -c "! grep -q -e 'Pr0d-pl4ceh0lder' -e 'prod-3f9a1c0e' '$T/m.json'"

# text: the same facts for a person
"${penv[@]}" "$DEPLOY_RUN" show prod >"$T/prod.txt"
check "text: profile" grep -qx 'profile  prod' "$T/prod.txt"
check "text: chain" grep -qx 'chain    profiles/base.ini -> profiles/prod.ini' "$T/prod.txt"
check "text: stage" grep -qx 'stage    production' "$T/prod.txt"
check "text: root" grep -qx "root     $root" "$T/prod.txt"
check "text: workers auto" grep -qx "workers  $((2 * cpus + 1)) (auto)" "$T/prod.txt"
check "text: argv" grep -q "^argv     $venv/bin/gunicorn --bind 0.0.0.0:8000 " "$T/prod.txt"
check "text: masked secret with source" grep -qx '  SECRET_KEY=\*\*\*\*  \[.env.production:7\]' "$T/prod.txt"
check "text: profile var" grep -qx '  PYTHONUNBUFFERED=1  \[profile\]' "$T/prod.txt"
check "text: inherited count" grep -q 'more inherited from the process environment' "$T/prod.txt"
check "text: no secret" bash -c "! grep -q 'Pr0d-pl4ceh0lder' '$T/prod.txt'"
"${penv[@]}" "$DEPLOY_RUN" show prod --all >"$T/all.txt"
check "text --all lists process variables" grep -qx '  HOME=/root  \[process\]' "$T/all.txt"

# PYTHONHOME is removed from what the server gets
"${penv[@]}" PYTHONHOME=/opt/python "$DEPLOY_RUN" show prod --format json >"$T/h.json"
check "PYTHONHOME is not passed" [ "$(json_get "$T/h.json" '"PYTHONHOME" in d["env"]')" = False ]

# a profile given as a path
"${penv[@]}" "$DEPLOY_RUN" show "$SOURCE_ROOT/profiles/prod.ini" --format json >"$T/p.json"
check "a path works as PROFILE" [ "$(json_get "$T/p.json" 'd["profile"]')" = prod ]
finish
