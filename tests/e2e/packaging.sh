#!/bin/bash
# Packaging and documentation: the man pages render without warnings and
# document every subcommand and finding id; the bash completion completes
# subcommands, options and profile names (honouring -C and --profiles); the
# zsh and fish scripts parse; `init` scaffolds profiles that pass `check` on
# a copy of the example app and refuses to overwrite them.
#   MAN1, MAN5   the built pages (set by tests/meson.build)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${MAN1:?}" "${MAN5:?}"
P=$SOURCE_ROOT/packaging

# ---- man pages ----
for page in "$MAN1" "$MAN5"; do
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "$(basename "$page") renders without warnings: $warnings" [ -z "$warnings" ]
done
MANWIDTH=200 man -l "$MAN1" 2>/dev/null >"$T/man1.txt"
MANWIDTH=200 man -l "$MAN5" 2>/dev/null >"$T/man5.txt"
for sub in $("$DEPLOY_RUN" --help | sed -n 's/^  deploy-run \([a-z][a-z-]*\).*/\1/p'); do
	check "deploy-run(1) documents the subcommand $sub" grep -Eq "^ +$sub( |\$)" "$T/man1.txt"
done
# every id the checks can report (the JUnit report lists them all as skipped)
run_dr --profiles "$SOURCE_ROOT/profiles" check dev --format junit --skip '*'
ids=$(sed -n 's/.*<testcase name="\([a-z]*\.[a-z-]*\)".*/\1/p' "$T/out" | sort -u)
check "the check table has ids" [ -n "$ids" ]
for id in $ids; do
	check "deploy-run(1) documents the finding $id" grep -q -- "$id" "$T/man1.txt"
done
# and every id of the README's table, which also has the load errors (profile.invalid...)
readme_ids=$(grep -oE '`(profile|venv|env|req|path|server)\.[a-z-]+`' "$SOURCE_ROOT/README.md" |
	tr -d '`' | sort -u)
check "the README lists finding ids" [ -n "$readme_ids" ]
for id in $readme_ids; do
	check "deploy-run(1) documents the README's finding $id" grep -q -- "$id" "$T/man1.txt"
done
for key in graceful_timeout kill_timeout secrets forwarded_allow_ips; do
	check "deploy-run.ini(5) documents $key" grep -Eq "^ +$key \(" "$T/man5.txt"
done
check "deploy-run.ini(5) has no stray scdoc markup" bash -c "! grep -q '\\\\[*_]' '$T/man5.txt'"

# ---- completions ----
mkdir -p "$T/app/profiles" "$T/other/conf"
: >"$T/app/profiles/dev.ini"; : >"$T/app/profiles/prod.ini"; : >"$T/other/conf/qa.ini"
# complete DIR WORD...: the completion of the last word, run in DIR, as one sorted line
complete_bash() {
	local dir=$1; shift
	(cd "$dir" && bash -c '. "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_deploy_run; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ \
		"$P/completions/deploy-run.bash" "$DEPLOY_RUN" "$@")
}
expect_completion() {
	local want=$1 got; shift
	got=$(complete_bash "$@")
	if [ "$got" = "$want" ]; then pass; else fail "completing [$*]: want '$want', got '$got'"; fi
}
subs=$("$DEPLOY_RUN" --help | sed -n 's/^  deploy-run \([a-z][a-z-]*\).*/\1/p' | sort | tr '\n' ' ')
expect_completion "$subs" "$T" ""
expect_completion "check " "$T" ch
expect_completion "dev prod " "$T/app" check ""
expect_completion "prod " "$T/app" show p
expect_completion "prod " "$T/app" check dev p
expect_completion "dev diff " "$T/app" d
expect_completion "dev prod " "$T/app" diff ""
expect_completion "dev prod " "$T/app" diff dev ""
expect_completion "--ignore " "$T/app" diff dev prod --ig
expect_completion "dev prod " "$T" -C app run ""
expect_completion "qa " "$T" --profiles other/conf check ""
expect_completion "qa " "$T" --profiles = other/conf check ""
expect_completion "qa " "$T" -C other --profiles conf show ""
expect_completion "--format " "$T" check --fo
expect_completion "github json junit text " "$T" check --format ""
expect_completion "json text " "$T" show --format ""
expect_completion "json junit text " "$T" smoke --format ""
expect_completion "--exec --no-check --reveal " "$T" run -
expect_completion "--exec --no-check --reveal " "$T/app" prod -
expect_completion "--force " "$T" init -
expect_completion "$subs" "$T" help ""
check "the bash script declares its completion" \
	bash -c ". '$P/completions/deploy-run.bash'; complete -p deploy-run | grep -q _deploy_run"
if command -v zsh >/dev/null; then
	check "the zsh script parses" zsh -n "$P/completions/_deploy-run"
else
	echo "zsh is not installed: not parsed"
fi
# fish writes its configuration and history under $HOME and XDG: keep them in $T
fish() {
	HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_DATA_HOME=$T/home/.local/share \
		XDG_CACHE_HOME=$T/home/.cache command fish "$@"
}
if command -v fish >/dev/null; then
	check "the fish script parses" fish -n "$P/completions/deploy-run.fish"
	got=$(cd "$T/app" && PATH="$(dirname "$DEPLOY_RUN"):$PATH" fish -c \
		"source '$P/completions/deploy-run.fish'; complete -C 'deploy-run check '" | cut -f1 |
		sort | tr '\n' ' ')
	check "fish completes profile names: $got" [ "$got" = "dev prod " ]
	got=$(cd "$T/app" && PATH="$(dirname "$DEPLOY_RUN"):$PATH" fish -c \
		"source '$P/completions/deploy-run.fish'; complete -C 'deploy-run show --format '" |
		cut -f1 | sort | tr '\n' ' ')
	check "fish completes the formats of show: $got" [ "$got" = "json text " ]
else
	echo "fish is not installed: not parsed"
fi

# ---- deployment examples ----
# Their timeouts follow the example's prod profile: systemd's TimeoutStopSec
# and Kubernetes' terminationGracePeriodSeconds (minus preStop) must exceed
# the effective kill_timeout, itself above graceful_timeout.
check "the deployment examples agree with profiles/prod.ini" $PY - "$SOURCE_ROOT" <<'PYEOF'
import configparser, re, sys, yaml
root = sys.argv[1]
cfg = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
cfg.read([root + "/profiles/base.ini", root + "/profiles/prod.ini"])
def secs(v):
    return sum(int(n) * {"": 1, "s": 1, "m": 60, "h": 3600}[u] for n, u in re.findall(r"(\d+)(h|m|s|)", v))
graceful = secs(cfg.get("server", "graceful_timeout", fallback="30s"))
kill = secs(cfg.get("cleanup", "kill_timeout", fallback="0")) or graceful + 5
unit = open(root + "/packaging/systemd/deploy-run@.service").read()
stop = secs(re.search(r"^TimeoutStopSec=(\S+)", unit, re.M).group(1))
assert re.search(r"^Type=notify$", unit, re.M) and re.search(r"^KillMode=mixed$", unit, re.M)
assert kill > graceful and stop > kill, (graceful, kill, stop)
# systemctl reload runs deploy-run reload, bounded by TimeoutStartSec: the gate
# ([health] start_timeout) and then the old workers' graceful_timeout must fit
start = secs(re.search(r"^TimeoutStartSec=(\S+)", unit, re.M).group(1))
assert re.search(r"^ExecReload=/usr/bin/deploy-run -C /srv/app reload %i$", unit, re.M)
gate = secs(cfg.get("health", "start_timeout", fallback="30s"))
assert start > gate + graceful, (start, gate, graceful)
dep = yaml.safe_load(open(root + "/packaging/kubernetes/deployment.yaml"))
pod = dep["spec"]["template"]["spec"]
c = pod["containers"][0]
prestop = int(c["lifecycle"]["preStop"]["exec"]["command"][1])
assert pod["terminationGracePeriodSeconds"] > prestop + kill, (pod["terminationGracePeriodSeconds"], prestop, kill)
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    assert c[probe]["exec"]["command"][-2:] == ["probe", "prod"], probe
wf = yaml.safe_load(open(root + "/packaging/github/deploy-run.yml"))
runs = " ".join(st.get("run", "") for j in wf["jobs"].values() for st in j["steps"])
assert "check dev staging prod --format github" in runs and "deploy-run smoke" in runs
assert "deploy-run diff staging prod" in runs, "the promotion gate"
PYEOF
# every file the Dockerfile copies from the tree exists
docker_sources=$(sed -n 's/^COPY \(--chown=[^ ]* \)\{0,1\}\([^-][^ ]*\( [^ ]*\)*\) [^ ]*$/\2/p' \
	"$P/Dockerfile")
check "the Dockerfile copies something from the tree" [ -n "$docker_sources" ]
for src in $docker_sources; do
	check "the Dockerfile's COPY source $src exists" \
		bash -c "cd '$SOURCE_ROOT' && compgen -G '$src' >/dev/null"
done
check "the Dockerfile's entry point is deploy-run" grep -q '^ENTRYPOINT \["deploy-run"' "$P/Dockerfile"
check "the Dockerfile's health check is deploy-run probe" \
	grep -q 'CMD \["deploy-run", "-C", "/srv/app", "probe", "prod"\]' "$P/Dockerfile"

# ---- init ----
# a copy of the example app without its profiles and its venv (a venv cannot
# be moved: it is made again at the copy's path, offline)
app=$T/webapp
mkdir -p "$app"
tar -C "$SOURCE_ROOT/example" --exclude=./.venv --exclude=__pycache__ -cf - . | tar -C "$app" -xf -
bash "$SOURCE_ROOT/dev/venv-tools/make-venv.sh" "$app" >"$T/venv.log" 2>&1 ||
	{ cat "$T/venv.log" >&2; fail "make-venv.sh on the copy"; }
run_dr init "$app"
check "init exits 0 ($(cat "$T/err"))" [ "$rc" = 0 ]
for p in base dev staging prod; do
	check "init wrote $p.ini" test -f "$app/profiles/$p.ini"
done
check "init says what to run next" grep -q "^next: *deploy-run -C $app check dev$" "$T/out"
check "init found the venv" grep -q "^venv = .venv" "$app/profiles/base.ini"
check "init found the Python" grep -q "^python = 3\.[0-9]*" "$app/profiles/base.ini"
check "init found the WSGI app" grep -q "^module = webapp.wsgi:app" "$app/profiles/base.ini"
check "init found the ASGI app for dev's uvicorn" grep -q "^module = webapp.asgi:app" \
	"$app/profiles/dev.ini"
check "init found the lock" grep -q "^requirements = requirements.txt" "$app/profiles/base.ini"
check "init found the health route" grep -q "^path = /healthz" "$app/profiles/base.ini"
check "init loads the production .env" grep -q "^files = .env, .env.production" \
	"$app/profiles/prod.ini"
check "init leaves commented defaults" grep -q "^; graceful_timeout = 30s" "$app/profiles/base.ini"
run_dr -C "$app" profiles
check "the scaffolded profiles load ($(cat "$T/out"))" [ "$rc" = 0 ]
run_dr --profiles "$app/profiles" check dev --format json
check "check dev passes on the scaffold ($(cat "$T/out"))" [ "$rc" = 0 ]
# prod is strict: warnings fail too.  On the example it passes as scaffolded;
# a real app adds [env] required and takes its secrets from the environment.
run_dr --profiles "$app/profiles" check staging prod
check "check staging prod pass on the scaffold ($(cat "$T/out"))" [ "$rc" = 0 ]
run_dr --profiles "$app/profiles" show dev --format json
check "dev runs uvicorn with reload" \
	[ "$(json_get "$T/out" '" ".join(d["argv"][1:])' | grep -c -- '--reload')" = 1 ]

cp "$app/profiles/prod.ini" "$T/prod.before"
echo "; edited by hand" >>"$app/profiles/prod.ini"
cp "$app/profiles/prod.ini" "$T/prod.edited"
run_dr init "$app"
check "init refuses to overwrite (exit $rc)" [ "$rc" = 2 ]
check "the refusal names the file" grep -q "$app/profiles/base.ini" "$T/err"
check "nothing was overwritten" cmp -s "$app/profiles/prod.ini" "$T/prod.edited"
run_dr init "$app" --force
check "init --force overwrites" [ "$rc" = 0 ]
check "init --force wrote the scaffold again" cmp -s "$app/profiles/prod.ini" "$T/prod.before"

# detection on other layouts: a Django project with venv/ and a FastAPI module
dj=$T/django
mkdir -p "$dj/mysite" "$dj/venv/bin" "$dj/requirements"
printf 'home = /usr/bin\nversion_info = 3.11.2.final.0\n' >"$dj/venv/pyvenv.cfg"
printf '#!/bin/sh\n' >"$dj/venv/bin/gunicorn"; chmod +x "$dj/venv/bin/gunicorn"
: >"$dj/mysite/__init__.py"
printf 'import os\nfrom django.core.wsgi import get_wsgi_application\n\napplication = get_wsgi_application()\n' \
	>"$dj/mysite/wsgi.py"
printf 'django==4.1 \\\n    --hash=sha256:%064d\n' 0 >"$dj/requirements/prod.txt"
printf 'django\n' >"$dj/requirements/dev.txt"
: >"$dj/.env.prod"; : >"$dj/.env.example"
run_dr --profiles "$T/django-profiles" init "$dj"
check "init on a Django project ($(cat "$T/err"))" [ "$rc" = 0 ]
check "Django's wsgi module" grep -q "^module = mysite.wsgi:application" "$T/django-profiles/base.ini"
check "the venv named venv" grep -q "^venv = venv" "$T/django-profiles/base.ini"
check "Python from version_info" grep -q "^python = 3.11" "$T/django-profiles/base.ini"
check "the hashed lock among requirements/*.txt" \
	grep -q "^requirements = requirements/prod.txt" "$T/django-profiles/base.ini"
check "root relative to --profiles" grep -q "^root = ../django " "$T/django-profiles/base.ini"
check ".env.prod for prod" grep -q "^files = .env.prod" "$T/django-profiles/prod.ini"
check ".env.example is reported, not loaded" grep -q "not loaded: .env.example" "$T/out"
check ".env.example is not loaded" bash -c "! grep -rq 'env.example' '$T/django-profiles'"

fa=$T/fastapi
mkdir -p "$fa/.venv/bin"
printf 'version = 3.12.1\n' >"$fa/.venv/pyvenv.cfg"
printf '#!/bin/sh\n' >"$fa/.venv/bin/uvicorn"; chmod +x "$fa/.venv/bin/uvicorn"
printf 'from fastapi import FastAPI\n\napi: FastAPI = FastAPI(title="x")\n\n@api.get("/health")\ndef h():\n    return {}\n' \
	>"$fa/main.py"
run_dr init "$fa"
check "init on a FastAPI module" grep -q "^module = main:api" "$fa/profiles/base.ini"
check "an ASGI app gets uvicorn" grep -q "^server = uvicorn" "$fa/profiles/base.ini"
check "the /health route" grep -q "^path = /health " "$fa/profiles/base.ini"
check "no lock: requirements empty" grep -q "^requirements = " "$fa/profiles/base.ini"
run_dr --profiles "$fa/profiles" show prod --format json
check "the FastAPI scaffold loads ($(cat "$T/err"))" [ "$rc" = 0 ]

# detection reads Python as Python does (checks/pysource): not an assignment inside
# a docstring, not a route in a comment, not the app's tests (tests/, test_*.py)
dt=$T/detect
mkdir -p "$dt/tests"
cat >"$dt/wsgi.py" <<'EOF'
"""Start it with gunicorn; the old entry point was:

app = Flask(__name__)
"""
from flask import Flask

# @application.route("/healthz") was removed
application = Flask(__name__)


@application.route("/health")
def health():
    return "ok"
EOF
touch "$dt/tests/__init__.py"
printf 'from flask import Flask\napp = Flask(__name__)\n' >"$dt/tests/wsgi.py"
printf 'from flask import Flask\napp = Flask("t")\n\n@app.route("/healthz")\ndef h(): pass\n' \
	>"$dt/test_app.py"
run_dr init "$dt"
check "init detects the app of wsgi.py ($(cat "$T/out"))" \
	grep -q "^module = wsgi:application " "$dt/profiles/base.ini"
check "init lists no app from a docstring or the tests" \
	test "$(grep -c '^app: ' "$T/out")" = 1
check "init takes the route of a literal, not of a comment or the tests" \
	grep -q "^path = /health " "$dt/profiles/base.ini"

run_dr init "$T/nonexistent"
check "init on a missing directory exits 2" [ "$rc" = 2 ]
run_dr init --bogus
check "init with an unknown option exits 2" [ "$rc" = 2 ]
finish
