#!/bin/bash
# The check command end to end: the four formats on the example's profiles
# and on an app with findings, --only/--skip by id, glob and family,
# --strict, several profiles in one call, exit codes 0/1/2, a malformed
# profile in every format.  Text reports are compared with the golden files
# in tests/golden/check/ after the machine's paths are replaced by @ROOT@
# (the source tree) and @TMP@ (this test's directory); UPDATE_GOLDEN=1
# rewrites them.  JSON, GitHub and JUnit outputs are parsed back.
. "$(dirname "$0")/lib.sh"
set -e
GOLDEN=$SOURCE_ROOT/tests/golden/check
VALIDATE=$SOURCE_ROOT/tests/tools/report-validate.py

example_venv || { fail "cannot build the example's virtualenv"; finish; }

# golden NAME FILE: FILE, with the machine's paths replaced, equals golden NAME.
golden() {
	local want=$GOLDEN/$1 got=$T/golden.$1
	sed -e "s|$T|@TMP@|g" -e "s|$SOURCE_ROOT|@ROOT@|g" "$2" >"$got"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$got" "$want"
	fi
	if diff -u "$want" "$got" >&2; then pass; else fail "golden $1 differs (UPDATE_GOLDEN=1 rewrites it)"; fi
}

# validate FILE...: the report files parse back and agree with each other.
validate() { check "reports parse back: $*" $PY "$VALIDATE" "$@"; }

# py EXPR: a Python expression over the JSON report d of $T/out is true.
py() {
	check "$1" $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not eval(sys.argv[2]))' \
		"$T/out" "$1"
}

# ---- an app with findings of two families (path and server) -------------
APP=$T/app
mkdir -p "$APP/webapp" "$T/p"
printf 'import os\n\nDB = "/home/alice/db.sqlite3"\n' >"$APP/webapp/app.py"
printf 'APP_NAME=example\nLOG_FILE=logs/app.log\n' >"$APP/.env"
chmod 600 "$APP/.env"
cat >"$T/p/findings.ini" <<EOF
; production settings copied from a laptop
[profile]
stage = production

[app]
root = ../app
module = webapp.app:app
requirements =

[server]
bind = unix:$T/app.sock
workers = 1
reload = true

[env]
files = .env

[vars]
DATA_DIR = $T/missing

[cleanup]
pid_file = $T/run/app.pid
EOF
# the same app in development, where only warnings remain
cat >"$T/p/warn.ini" <<EOF
[profile]
extends = findings
stage = development
EOF
printf '[profile]\nstage = production\n[app]\nroot = ../app\nmodule = a:b\n[server]\nworkers = lots\n' \
	>"$T/p/bad.ini"
cd "$T"
ONLY=(--only path,server)

# ---- text --------------------------------------------------------------
run_dr check p/findings.ini "${ONLY[@]}"
check "findings: exit 1" [ "$rc" = 1 ]
check "findings: nothing on stderr" [ ! -s "$T/err" ]
golden findings.txt "$T/out"

run_dr check p/warn.ini "${ONLY[@]}"
check "development: errors capped to warnings, exit 0" [ "$rc" = 0 ]
check "development: the summary" grep -qx "p/warn.ini: 4 warnings" "$T/out"
run_dr check p/warn.ini "${ONLY[@]}" --strict
check "--strict: warnings fail, exit 1" [ "$rc" = 1 ]
check "--strict: the summary says why" grep -q "(strict: warnings fail the check)" "$T/out"
printf '[profile]\nextends = warn\nstrict = true\n' >"$T/p/warn-strict.ini"
run_dr check p/warn-strict.ini "${ONLY[@]}"
check "[profile] strict = true: exit 1" [ "$rc" = 1 ]

run_dr check p/bad.ini
check "malformed profile: exit 2" [ "$rc" = 2 ]
check "malformed profile, text: nothing on stdout" [ ! -s "$T/out" ]
check "malformed profile, text: one line on stderr" [ "$(wc -l <"$T/err")" = 1 ]
golden malformed.txt "$T/err"

# ---- JSON --------------------------------------------------------------
run_dr check p/findings.ini "${ONLY[@]}" --format json
check "json: exit 1" [ "$rc" = 1 ]
cp "$T/out" "$T/findings.json"
assert_ids "$T/out" path.hardcoded path.missing path.missing path.relative-to-cwd \
	server.reload-in-production
py 'd["profile"] == "p/findings.ini" and d["ok"] is False'
py 'd["summary"] == {"error": 4, "warning": 1}'
py '[f["check"] for f in d["findings"]] == ["path"] * 4 + ["server"]'
py 'all(set(f) == {"id", "check", "severity", "message", "hint", "file", "line"} for f in d["findings"])'
py 'all(f["hint"] for f in d["findings"])'
py '{(f["id"], f["line"]) for f in d["findings"] if f["file"] == "p/findings.ini"} == {("path.missing", 19), ("path.missing", 22), ("server.reload-in-production", 13)}'
py '[(f["file"], f["line"]) for f in d["findings"] if f["id"] == "path.hardcoded"] == [("'"$APP"'/webapp/app.py", 3)]'

run_dr check p/findings.ini "${ONLY[@]}" --format=json
check "--format=json is --format json" cmp -s "$T/out" "$T/findings.json"

# ---- GitHub ------------------------------------------------------------
# paths relative to the checkout ($GITHUB_WORKSPACE, else the working
# directory): GitHub annotates no file named by an absolute path
unset GITHUB_WORKSPACE
run_dr check p/findings.ini "${ONLY[@]}" --format github
check "github: exit 1" [ "$rc" = 1 ]
cp "$T/out" "$T/findings.github"
# every ::error/::warning line, unescaped, is one finding of the JSON report
check "github annotations match the JSON findings" $PY - "$T/findings.github" "$T/findings.json" <<'EOF'
import json, os, re, sys
text = open(sys.argv[1]).read()
want = json.load(open(sys.argv[2]))["findings"]
unesc = lambda s: s.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
got = []
for line in text.splitlines():
    m = re.match(r"^::(error|warning|notice) file=([^,]*),line=(\d+)(?:,col=(\d+))?,title=([^:]*)::(.*)$", line)
    if not m:
        assert not line.startswith("::"), line
        continue
    sev, file, ln, col, title, msg = m.groups()
    prof, fid = unesc(title).split(": ")
    assert prof == "p/findings.ini", title
    got.append((fid, {"error": "error", "warning": "warning", "notice": "note"}[sev], unesc(file), int(ln), unesc(msg)))
rel = lambda f: f[len(os.getcwd()) + 1:] if f.startswith(os.getcwd() + "/") else f
exp = [(f["id"], f["severity"], rel(f["file"]), f["line"], f["message"] + "\nhint: " + f["hint"]) for f in want if f["file"]]
assert got == exp, (got, exp)
assert ("path.hardcoded", "app/webapp/app.py") in [(g[0], g[2]) for g in got], got
assert len(want) == len(exp)
assert "p/findings.ini: 4 errors, 1 warning" in text.splitlines()[-1], text.splitlines()[-1]
EOF
GITHUB_WORKSPACE=$APP run_dr check p/findings.ini "${ONLY[@]}" --format github
check "github: paths relative to GITHUB_WORKSPACE" grep -q "^::error file=webapp/app.py,line=3," "$T/out"
check "github: paths outside GITHUB_WORKSPACE kept" grep -q "^::error file=p/findings.ini,line=13," "$T/out"

# ---- JUnit -------------------------------------------------------------
run_dr check p/findings.ini "${ONLY[@]}" --format junit
check "junit: exit 1" [ "$rc" = 1 ]
cp "$T/out" "$T/findings.xml"
check "junit: one testcase per check id, failures where errors are" $PY - "$T/findings.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
(suite,) = root.findall("testsuite")
assert suite.get("name") == "p/findings.ini"
cases = {c.get("name"): c for c in suite.findall("testcase")}
for c in cases.values():
    assert c.get("classname") == "p/findings.ini." + c.get("name").split(".")[0], c.attrib
failed = {n for n, c in cases.items() if c.find("failure") is not None}
assert failed == {"path.hardcoded", "path.missing", "server.reload-in-production"}, failed
assert "(and 1 more)" in cases["path.missing"].find("failure").get("message")
rel = cases["path.relative-to-cwd"]
assert rel.find("failure") is None and "logs/app.log" in rel.find("system-out").text
assert cases["path.home-dir"].find("failure") is None and cases["path.home-dir"].find("skipped") is None
skipped = {n for n, c in cases.items() if c.find("skipped") is not None}
assert skipped and all(n.split(".")[0] not in ("path", "server") for n in skipped), skipped
assert int(suite.get("tests")) == len(cases) and int(suite.get("failures")) == len(failed)
assert int(suite.get("skipped")) == len(skipped) and suite.get("errors") == "0"
EOF
validate "$T/findings.json" "$T/findings.github" "$T/findings.xml"

# ---- --only and --skip ---------------------------------------------------
run_dr check p/findings.ini --only server --format json
assert_ids "$T/out" server.reload-in-production
run_dr check p/findings.ini --only path.missing --format json
assert_ids "$T/out" path.missing path.missing
run_dr check p/findings.ini --only 'path.*' --skip path.missing,path.hardcoded --format json
assert_ids "$T/out" path.relative-to-cwd
run_dr check p/findings.ini --only path,server --skip path --format json
assert_ids "$T/out" server.reload-in-production
run_dr check p/findings.ini --only path.relative-to-cwd
check "--only a warning: exit 0" [ "$rc" = 0 ]
run_dr check p/findings.ini --only path.home-dir --format json
check "--only an id without findings: exit 0" [ "$rc" = 0 ]
assert_ids "$T/out"

# ---- several profiles in one call ----------------------------------------
run_dr check p/findings.ini p/warn.ini "${ONLY[@]}" --format json
check "two profiles, one failing: exit 1" [ "$rc" = 1 ]
py 'isinstance(d, list) and [r["profile"] for r in d] == ["p/findings.ini", "p/warn.ini"]'
py '[r["ok"] for r in d] == [False, True]'
run_dr check p/findings.ini p/warn.ini "${ONLY[@]}"
golden two-profiles.txt "$T/out"
for f in json github junit; do
	run_dr check p/findings.ini p/bad.ini "${ONLY[@]}" --format $f
	check "$f: a malformed profile among others: exit 2" [ "$rc" = 2 ]
	cp "$T/out" "$T/mixed.${f/junit/xml}"
done
validate "$T/mixed.json" "$T/mixed.github" "$T/mixed.xml"
json_get "$T/mixed.json" 'd[1]["findings"][0]' >"$T/bad-finding"
check "json: the malformed profile is its finding" \
	grep -qF "'id': 'profile.bad-value', 'check': 'profile', 'severity': 'error'" "$T/bad-finding"
check "json: with its file and line" grep -qF "'file': 'p/bad.ini', 'line': 7" "$T/bad-finding"
check "json: the hint points at the key reference" grep -qF "deploy-run.ini(5) lists every key" "$T/bad-finding"
check "github: the malformed profile's annotation" \
	grep -q '^::error file=p/bad.ini,line=7,title=p/bad.ini%3A profile.bad-value::' "$T/mixed.github"
check "junit: the malformed profile's failure" $PY -c '
import sys, xml.etree.ElementTree as ET
s = [s for s in ET.parse(sys.argv[1]).getroot() if s.get("name") == "p/bad.ini"][0]
c = s.find("testcase[@name=\"profile.bad-value\"]")
assert c is not None and "p/bad.ini:7" in c.find("failure").text' "$T/mixed.xml"

# ---- the example's profiles ----------------------------------------------
cd "$SOURCE_ROOT"
run_dr -C "$SOURCE_ROOT" check dev staging prod
check "example profiles: exit 0" [ "$rc" = 0 ]
golden example.txt "$T/out"
run_dr -C "$SOURCE_ROOT" check dev staging prod --strict --format json
check "example profiles, strict: exit 0" [ "$rc" = 0 ]
py '[r["profile"] for r in d] == ["dev", "staging", "prod"] and all(r["ok"] for r in d)'
py 'all(r["findings"] == [] for r in d)'
cp "$T/out" "$T/example.json"
run_dr -C "$SOURCE_ROOT" check dev staging prod --format github
check "example, github: no annotation" bash -c "! grep -q '^::' '$T/out'"
cp "$T/out" "$T/example.github"
run_dr -C "$SOURCE_ROOT" check dev staging prod --format junit
check "example, junit: exit 0" [ "$rc" = 0 ]
cp "$T/out" "$T/example.xml"
validate "$T/example.json" "$T/example.github" "$T/example.xml"
check "example, junit: every family ran, none failed" $PY -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for s in root.findall("testsuite"):
    fams = {c.get("name").split(".")[0] for c in s.findall("testcase")}
    assert {"venv", "env", "path", "server"} <= fams, fams
    assert s.get("failures") == "0" and s.find(".//failure") is None' "$T/example.xml"

# ---- usage errors: exit 2 --------------------------------------------------
run_dr -C "$SOURCE_ROOT" check prod --format yaml
check "unknown format: exit 2" [ "$rc" = 2 ]
check "unknown format: named in quotes" grep -q -- "--format takes text, json, github or junit, not 'yaml'" "$T/err"
run_dr -C "$SOURCE_ROOT" check nosuchprofile
check "unknown profile: exit 2" [ "$rc" = 2 ]
check "unknown profile: one line" [ "$(wc -l <"$T/err")" = 1 ]
run_dr check
check "no profile: exit 2" [ "$rc" = 2 ]
run_dr -C "$SOURCE_ROOT" check prod --only
check "--only without ids: exit 2" [ "$rc" = 2 ]
# a mistyped id or family would silently check nothing: refused, with a suggestion
run_dr -C "$SOURCE_ROOT" check prod --only venv.misssing
check "--only with an unknown id: exit 2" [ "$rc" = 2 ]
check "--only with an unknown id: suggests the id" grep -qF "did you mean venv.missing?" "$T/err"
run_dr -C "$SOURCE_ROOT" check prod --skip srever
check "--skip with an unknown family: exit 2" [ "$rc" = 2 ]
check "--skip with an unknown family: suggests it" grep -qF "did you mean server?" "$T/err"
run_dr -C "$SOURCE_ROOT" check prod --only 'nothing*'
check "--only with a glob that matches nothing: exit 2" [ "$rc" = 2 ]
run_dr -C "$SOURCE_ROOT" check prod --only 'server.*,profile' --skip server.command
check "--only and --skip with known patterns: exit 0" [ "$rc" = 0 ]

# ---- server.command: run refuses it in every stage, so check fails on it too ----
cat >"$T/p/two-binds.ini" <<EOF
[profile]
stage = development
[app]
root = $SOURCE_ROOT/example
module = webapp.asgi:app
server = uvicorn
[server]
bind = 127.0.0.1:8000, unix:$T/two.sock
[checks]
server = off
EOF
run_dr check "$T/p/two-binds.ini" --format json
check "server.command in development: exit 1 (got $rc)" [ "$rc" = 1 ]
py 'd["findings"][0]["id"] == "server.command" and d["findings"][0]["severity"] == "error"'
py 'd["findings"][0]["line"] == 8'
run_dr run "$T/p/two-binds.ini"
check "server.command: run refuses with 125 (got $rc)" [ "$rc" = 125 ]
run_dr check "$T/p/two-binds.ini" --skip server.command
check "server.command skipped: exit 0 (got $rc)" [ "$rc" = 0 ]

finish
