#!/bin/bash
# Secret values appear in no output without --reveal.  Known secrets are set
# in a .env file, in [vars] and in the process environment, under keys that
# match [env] secrets, and quoted by bad lines (a malformed .env line, a
# [vars] value of the wrong shape); then every output mode runs: check in
# text, json, github and junit, show in text and json, run's logs and the
# supervisor's exit summary, probe, smoke (text, json, junit), and the error
# messages of a profile and a .env that do not parse.  With --reveal, show
# and check show the values where documented.
. "$(dirname "$0")/lib.sh"
set -e
umask 077

S_FILE=s3cret-in-dotenv-41c7      # SECRET_KEY in .env
S_PROC=s3cret-in-process-9d02     # SECRET_KEY in the process environment
S_VARS=s3cret-in-vars-5be1        # DB_PASSWORD in [vars]
S_TOKEN=s3cret-token-77aa         # API_TOKEN in .env.prod
S_BAD=s3cret-on-a-bad-line-c3f0   # on a .env line python-dotenv cannot parse
ALL=("$S_FILE" "$S_PROC" "$S_VARS" "$S_TOKEN" "$S_BAD")

APP=$T/app
P=$T/profiles
mkdir -p "$APP/.venv/bin" "$P"
PORT=$(free_port)
# the server: answers 200 on every path until SIGTERM, logs each request
cat >"$APP/.venv/bin/gunicorn" <<'EOT'
#!/usr/bin/python3
import http.server, signal, sys
bind = sys.argv[sys.argv.index("--bind") + 1]
host, port = bind.rsplit(":", 1)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok\n")
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
http.server.HTTPServer((host, int(port)), H).serve_forever()
EOT
chmod 755 "$APP/.venv/bin/gunicorn"
printf 'SECRET_KEY=%s\nAPP_NAME=demo\n' "$S_FILE" >"$APP/.env"
printf 'API_TOKEN=%s\nDEBUG=1\nPAYMENT_TOKEN %s\nLOG_LEVEL=info\n' "$S_TOKEN" "$S_BAD" \
	>"$APP/.env.prod"
chmod 600 "$APP/.env" "$APP/.env.prod"

# profile NAME STAGE [LINES...]
profile() {
	local name=$1 stage=$2
	shift 2
	cat >"$P/$name.ini" <<EOT
[profile]
stage = $stage
[app]
root = $APP
module = app:app
requirements =
[server]
bind = 127.0.0.1:$PORT
[env]
files = .env, .env.prod
process = wins
required = SECRET_KEY, API_TOKEN, DB_PASSWORD
secrets = SECRET_KEY, *_TOKEN, *_PASSWORD
[vars]
DB_PASSWORD = $S_VARS
[health]
path = /healthz
start_timeout = 10s
[checks]
venv = off
req = off
path = off
EOT
	printf '%s\n' "$@" >>"$P/$name.ini"
}
profile prod production
profile dev development

# dr ARGS...: deploy-run with the secret in the process environment too
dr() {
	set +e
	env SECRET_KEY="$S_PROC" "$DEPLOY_RUN" --profiles "$P" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	set -e
}

# no_secret WHAT: none of the secrets in $T/out or $T/err
no_secret() {
	local s leaked=
	for s in "${ALL[@]}"; do
		if grep -qF -- "$s" "$T/out" "$T/err"; then leaked+=" $s"; fi
	done
	if [ -z "$leaked" ]; then pass; else
		fail "$1: leaked$leaked"
		grep -hF -e "${ALL[0]}" -e "${ALL[1]}" -e "${ALL[2]}" -e "${ALL[3]}" -e "${ALL[4]}" \
			"$T/out" "$T/err" | head -5 >&2
	fi
}

# --- check, every format: findings about secret keys (shadowed, parse, debug) ---
for fmt in text json github junit; do
	dr check prod --format "$fmt"
	check "check --format $fmt: exit 1" [ "$rc" = 1 ]
	no_secret "check --format $fmt"
	dr -v check dev --format "$fmt"
	no_secret "check -v dev --format $fmt"
done
dr check prod --format json
check "check json has env.parse" grep -q '"env.parse"' "$T/out"
check "check json has env.shadowed" grep -q '"env.shadowed"' "$T/out"
# --reveal: the shadowed values are shown
dr check prod --format json --reveal
check "check --reveal shows the process value" grep -qF "$S_PROC" "$T/out"

# --- show, text and json, --all ---
for fmt in text json; do
	dr show prod --format "$fmt"
	check "show --format $fmt: exit 0" [ "$rc" = 0 ]
	no_secret "show --format $fmt"
	dr show prod --format "$fmt" --all
	no_secret "show --format $fmt --all"
done
dr show prod --format json --reveal
check "show --reveal: the process value wins" grep -qF "$S_PROC" "$T/out"
check "show --reveal: the [vars] value" grep -qF "$S_VARS" "$T/out"
check "show --reveal: the token" grep -qF "$S_TOKEN" "$T/out"

# --- run: refused in production (preflight findings on stderr) ---
dr run prod
check "run prod: refused (125)" [ "$rc" = 125 ]
no_secret "run prod (refused)"
dr -v run prod
no_secret "run -v prod (refused)"

# --- run in development: logs, readiness, the supervisor's summary ---
set +e
env SECRET_KEY="$S_PROC" "$DEPLOY_RUN" -v --profiles "$P" run dev >"$T/run.out" 2>"$T/run.err" </dev/null &
pid=$!
set -e
check "dev server answers" wait_http "http://127.0.0.1:$PORT/healthz" 10
dr probe dev
check "probe: exit 0" [ "$rc" = 0 ]
no_secret "probe"
kill -TERM "$pid"
wait "$pid" || true
cp "$T/run.out" "$T/out"
cp "$T/run.err" "$T/err"
check "run's summary line" grep -q 'deploy-run: exit' "$T/err"
no_secret "run -v dev: logs and summary"

# --- smoke: text, json, junit ---
for fmt in text json junit; do
	dr smoke dev --format "$fmt" --url /
	check "smoke --format $fmt: exit 0" [ "$rc" = 0 ]
	no_secret "smoke --format $fmt"
done

# --- error messages quoting bad lines ---
# a [vars] line that does not parse, a bad name, a repeated secret: exit 2
n=0
for line in "DB_PASSWORD $S_BAD" "BAD KEY = $S_BAD" "DB_PASSWORD = $S_BAD" "[$S_BAD" \
	"API_TOKEN = \"$S_BAD"; do
	n=$((n + 1))
	profile "bad$n" production
	awk -v l="$line" '{ print } /^DB_PASSWORD = / { print l }' "$P/prod.ini" >"$P/bad$n.ini"
	for fmt in text json github junit; do
		dr check "bad$n" --format "$fmt"
		[ "$n" -gt 4 ] || check "check of '$line': exit 2" [ "$rc" = 2 ]
		no_secret "check --format $fmt of a profile with the line '$line'"
	done
	dr run "bad$n"
	no_secret "run of a profile with the line '$line'"
	dr show "bad$n"
	no_secret "show of a profile with the line '$line'"
done
# .env lines that do not parse, each holding a secret
for line in "PAYMENT_TOKEN=\"$S_BAD" "export $S_BAD" "PAYMENT TOKEN=$S_BAD" "\$S_BAD" "$S_BAD\\"; do
	printf 'API_TOKEN=%s\nDEBUG=1\n%s\n' "$S_TOKEN" "$line" >"$APP/.env.prod"
	for fmt in text json github junit; do
		dr check prod --format "$fmt"
		check "check of .env line '$line': exit 1" [ "$rc" = 1 ]
		no_secret "check --format $fmt of the .env line '$line'"
	done
	dr run prod
	no_secret "run of the .env line '$line'"
done
finish
