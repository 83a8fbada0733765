#!/bin/bash
# The env family: each finding provoked alone, with its file and line, none on
# a clean app, and secret values in no message unless --reveal.  Every case
# builds an app root and a profile under $T and runs
# `deploy-run check PROFILE --format json --only env` in an environment of
# its own (env -i), so that the caller's variables cannot shadow anything.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"
set -e
umask 077

APP=$T/app
SECRET=s3cr3t-from-the-file-91c2
PSECRET=s3cr3t-from-the-process-77ab
mkdir -p "$APP/webapp" "$T/p"

# clean_app: the app's files as every case starts from.
clean_app() {
	rm -rf "$APP"
	mkdir -p "$APP/webapp"
	printf 'import os\n\nNAME = os.environ["APP_NAME"]\n' >"$APP/webapp/app.py"
	printf '# shared\nAPP_NAME=demo\nSECRET_KEY=%s\nGREETING="hello ${APP_NAME}"\n' \
		"$SECRET" >"$APP/.env"
	printf '# production\nLOG_LEVEL=warning\n' >"$APP/.env.prod"
	chmod 600 "$APP/.env" "$APP/.env.prod"
}

# [FILES=...] [PROCESS=...] [REQUIRED=...] profile NAME STAGE [LINES...]: writes
# $T/p/NAME.ini for the app, with those [env] keys (PROCESS= empty: no line) and
# the extra lines last.
profile() {
	local name=$1 stage=$2
	shift 2
	{
		profile_head "$stage" "$APP" webapp.app:app
		echo "[env]"
		echo "files = ${FILES-.env, .env.prod}"
		[ -z "${PROCESS-wins}" ] || echo "process = ${PROCESS-wins}"
		echo "required = ${REQUIRED-APP_NAME, SECRET_KEY}"
		echo "secrets = SECRET_KEY, *_TOKEN"
		printf '%s\n' "$@"
	} >"$T/p/$name.ini"
}

# run_env NAME [VAR=VALUE...] [ARGS...]: checks the env family of profile NAME
# with only PATH and the given variables in the environment.
run_env() {
	local name=$1 vars=()
	shift
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
		vars+=("$1")
		shift
	done
	set +e
	env -i PATH=/usr/bin:/bin "${SAN_ENV[@]}" "${vars[@]}" "$DEPLOY_RUN" check "$T/p/$name.ini" \
		--format json --only env "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

# --- clean: no env finding, exit 0, in every stage ---
clean_app
for stage in production staging development; do
	profile clean "$stage"
	run_env clean
	check "clean $stage app exits 0" [ "$rc" = 0 ]
	assert_ids "$T/out"
done

# --- env.file-missing ---
FILES=".env, .env.prod, .env.nope" profile missing production
run_env missing
check "missing file exits 1" [ "$rc" = 1 ]
only_finding env.file-missing "$T/p/missing.ini" "$(line_of "$T/p/missing.ini" .env.nope)" error
message_has ".env.nope is listed in [env] files but does not exist"
# a directory where a file should be
mkdir "$APP/.env.dir"
FILES=".env, .env.prod, .env.dir" profile unreadable production
run_env unreadable
assert_ids "$T/out" env.file-missing
message_has "cannot be read"
rmdir "$APP/.env.dir"

# --- env.parse: an error in production, a warning in development ---
printf '# production\nLOG_LEVEL=warning\nBROKEN LINE here\n' >"$APP/.env.prod"
profile parse production
run_env parse
check "parse error exits 1" [ "$rc" = 1 ]
only_finding env.parse "$APP/.env.prod" 3 error
profile parse-dev development
run_env parse-dev
check "parse warning exits 0 in development" [ "$rc" = 0 ]
has_finding env.parse "$APP/.env.prod" 3 warning
clean_app

# --- env.missing-required ---
REQUIRED="APP_NAME, SECRET_KEY, DATABASE_URL" profile required production
run_env required
only_finding env.missing-required "$T/p/required.ini" "$(line_of "$T/p/required.ini" DATABASE_URL)" error
message_has "DATABASE_URL is required"
# the process environment satisfies it
run_env required DATABASE_URL=postgresql://db/app
assert_ids "$T/out"
# so does [vars]
REQUIRED="APP_NAME, SECRET_KEY, DATABASE_URL" profile required-vars production \
	"[vars]" "DATABASE_URL = sqlite:///x"
run_env required-vars
assert_ids "$T/out"
# an empty value does not
printf 'DATABASE_URL=\n' >>"$APP/.env.prod"
run_env required
assert_ids "$T/out" env.missing-required
message_has "empty (set by .env.prod:3)"
clean_app
# a file that could not be read: one finding for every variable it may have set
rm "$APP/.env"
run_env required
assert_ids "$T/out" env.file-missing env.missing-required
message_has "APP_NAME, SECRET_KEY and DATABASE_URL are required ([env] required) but neither"
clean_app

# --- env.duplicate-key: names both lines ---
printf 'APP_NAME=again\n' >>"$APP/.env"
profile dup production
run_env dup
check "a duplicate key is a warning" [ "$rc" = 0 ]
only_finding env.duplicate-key "$APP/.env" 5 warning
message_has "APP_NAME is set twice in .env: at line 2 and at line 5"
clean_app

# --- env.shadowed ---
profile shadow production
# the process environment wins over .env, as [env] process = wins says: a note
run_env shadow SECRET_KEY=$PSECRET
check "a written-down shadow passes" [ "$rc" = 0 ]
only_finding env.shadowed "$APP/.env" 3 note
message_has "SECRET_KEY from the process environment (\\\"****\\\") overrides .env:3 (\\\"****\\\") (process = wins)"
message_lacks "$SECRET"
message_lacks "$PSECRET"
# --reveal shows both values
run_env shadow SECRET_KEY=$PSECRET --reveal
message_has "$SECRET"
message_has "$PSECRET"
# a non-secret value is shown
run_env shadow LOG_LEVEL=debug
has_finding env.shadowed "$APP/.env.prod" 2 note
message_has 'LOG_LEVEL from the process environment (\"debug\") overrides .env.prod:2 (\"warning\")'
# the order nobody wrote down: a warning
PROCESS= profile shadow production
run_env shadow LOG_LEVEL=debug
check "an unwritten order is a warning" [ "$rc" = 0 ]
has_finding env.shadowed "$APP/.env.prod" 2 warning
message_has "process = wins, the default"
# process = loses: the file wins over the process environment
PROCESS=loses profile shadow-loses production
run_env shadow-loses LOG_LEVEL=debug
only_finding env.shadowed "$APP/.env.prod" 2 note
message_has 'LOG_LEVEL from .env.prod:2 (\"warning\") overrides the process environment (\"debug\") (process = loses)'
# a file overrides [vars]: located at the [vars] line
profile shadow-vars production "[vars]" "LOG_LEVEL = info"
run_env shadow-vars
only_finding env.shadowed "$T/p/shadow-vars.ini" "$(line_of "$T/p/shadow-vars.ini" "LOG_LEVEL = info")" note

# --- env.encoding ---
printf '\xef\xbb\xbfFIRST=1\nAPP_NAME=demo\nSECRET_KEY=%s\n' "$SECRET" >"$APP/.env"
profile enc production
run_env enc
only_finding env.encoding "$APP/.env" 1 error
message_has "so FIRST is not set under that name"
clean_app
printf 'A=1\r\nB=2\r\n' >"$APP/.env.prod"
run_env enc
only_finding env.encoding "$APP/.env.prod" 1 warning
message_has "CRLF line endings"
printf 'A=1\nB=2\rC=3\n' >"$APP/.env.prod"
run_env enc
only_finding env.encoding "$APP/.env.prod" 2 warning
printf 'A=1\nB=caf\xe9\n' >"$APP/.env.prod"
run_env enc
only_finding env.encoding "$APP/.env.prod" 2 error
message_has "not valid UTF-8"
# a NUL byte in a comment: the file holds one, no binding does
printf 'A=1\n# x\0y\nB=2\n' >"$APP/.env.prod"
run_env enc
only_finding env.encoding "$APP/.env.prod" 2 error
message_has "NUL byte"
clean_app

# --- env.parse: bindings os.environ refuses, an error in every stage ---
# a NUL byte in a value: load_dotenv() raises ValueError; one finding, not
# env.encoding as well
printf 'A=1\nB=2\nC=x\0y\n' >"$APP/.env.prod"
profile refused production
run_env refused
check "a NUL in a value exits 1" [ "$rc" = 1 ]
only_finding env.parse "$APP/.env.prod" 3 error
message_has "C cannot be an environment variable: it holds a NUL byte"
# 'A=B'=c: never the variable A with the value B=c, even in development
printf "# q\nOK=1\n'A=B'=c\n" >"$APP/.env.prod"
profile refused-dev development
run_env refused-dev
check "a key holding = exits 1 in development" [ "$rc" = 1 ]
only_finding env.parse "$APP/.env.prod" 3 error
message_has 'A=B cannot be an environment variable: the variable name holds \"=\"'
env -i PATH=/usr/bin:/bin "${SAN_ENV[@]}" "$DEPLOY_RUN" show "$T/p/refused-dev.ini" --format json \
	>"$T/show.json" 2>"$T/err"
check "show composes OK but not A" [ "$(json_get "$T/show.json" \
	'",".join(k for k in d["env"] if k in ("OK", "A", "A=B"))')" = OK ]
# run refuses, nothing started
set +e
env -i PATH=/usr/bin:/bin "${SAN_ENV[@]}" "$DEPLOY_RUN" run "$T/p/refused-dev.ini" >"$T/out" 2>"$T/err"
rc=$?
set -e
check "run refuses a key holding = (125)" [ "$rc" = 125 ]
check "run names file and line" grep -q "\.env\.prod:3" "$T/err"
# the same key without a value sets nothing: no finding
printf "'A=B'=c\n'A=B'\n" >"$APP/.env.prod"
run_env refused-dev
check "a bare refused key is no error" [ "$rc" = 0 ]
clean_app

# --- a bare KEY after KEY=VALUE: the file sets nothing for KEY ---
printf '# production\nLOG_LEVEL=warning\nLOG_LEVEL\n' >"$APP/.env.prod"
profile bare production
env -i PATH=/usr/bin:/bin "${SAN_ENV[@]}" "$DEPLOY_RUN" show "$T/p/bare.ini" --format json \
	>"$T/show.json" 2>"$T/err"
check "bare key after a value: null" [ "$(json_get "$T/show.json" 'd["env"]["LOG_LEVEL"]["value"]')" = None ]
env -i PATH=/usr/bin:/bin LOG_LEVEL=info "${SAN_ENV[@]}" "$DEPLOY_RUN" show "$T/p/bare.ini" \
	--format json >"$T/show.json" 2>"$T/err"
check "bare key after a value: the process's" \
	[ "$(json_get "$T/show.json" 'd["env"]["LOG_LEVEL"]["value"]')" = info ]
run_env bare
has_finding env.duplicate-key "$APP/.env.prod" 3 warning
message_has "which has no"
clean_app

# --- env.permissions ---
chmod 640 "$APP/.env"
profile perm production
run_env perm
check "a readable secret file fails in production" [ "$rc" = 1 ]
only_finding env.permissions "$APP/.env" 3 error
message_has "(mode 0640) holds secrets (SECRET_KEY at line 3) and is readable by its group"
profile perm-dev development
run_env perm-dev
has_finding env.permissions "$APP/.env" 3 warning
# no secret in it: readable is fine, writable by others is not
chmod 600 "$APP/.env"
chmod 644 "$APP/.env.prod"
run_env perm
assert_ids "$T/out"
chmod 646 "$APP/.env.prod"
run_env perm
only_finding env.permissions "$APP/.env.prod" "" error
message_has "is writable by others"
clean_app

# --- env.debug-in-production ---
printf '# production\nLOG_LEVEL=warning\nFLASK_DEBUG=1\n' >"$APP/.env.prod"
profile debug production
run_env debug
check "debug in production exits 1" [ "$rc" = 1 ]
only_finding env.debug-in-production "$APP/.env.prod" 3 error
message_has 'FLASK_DEBUG=\"1\" in production, from .env.prod:3'
# only in production
profile debug-staging staging
run_env debug-staging
assert_ids "$T/out"
# switched off is fine; from the process environment there is no file
printf '# production\nLOG_LEVEL=warning\nFLASK_DEBUG=0\n' >"$APP/.env.prod"
run_env debug
assert_ids "$T/out"
run_env debug DEBUG=true
only_finding env.debug-in-production "" ""
message_has "from the process environment"
# from [vars]
profile debug-vars production "[vars]" "DJANGO_SETTINGS_MODULE = site.settings.dev"
run_env debug-vars
only_finding env.debug-in-production "$T/p/debug-vars.ini" "$(line_of "$T/p/debug-vars.ini" DJANGO_SETTINGS)"
clean_app

# --- env.app-loads-dotenv ---
cat >"$APP/webapp/settings.py" <<'EOF'
"""Settings.  load_dotenv('.env') in a docstring is not a call."""
import os
from dotenv import load_dotenv  # load_dotenv() in a comment is not a call either

load_dotenv(
    ".env.production",
    override=True,
)
EOF
profile app production
run_env app
check "a relative load_dotenv fails in production" [ "$rc" = 1 ]
only_finding env.app-loads-dotenv "$APP/webapp/settings.py" 5 error
message_has "opens the relative path '.env.production' against the working directory"
message_has "override=True overwrites"
# an absolute path built from the file is fine
printf 'from pathlib import Path\nfrom dotenv import load_dotenv\n%s\n' \
	'load_dotenv(Path(__file__).resolve().parent / ".env")' >"$APP/webapp/settings.py"
run_env app
assert_ids "$T/out"
# no path: a warning in every stage
printf 'import dotenv\n\nx = 1; dotenv.load_dotenv()\n' >"$APP/webapp/settings.py"
run_env app
check "load_dotenv() is a warning" [ "$rc" = 0 ]
only_finding env.app-loads-dotenv "$APP/webapp/settings.py" 3 warning
# calls in the venv, site-packages, node_modules and dot-directories are not the app's
rm "$APP/webapp/settings.py"
for d in .venv/lib/python3.11/site-packages/x node_modules/y .git/z vendor tests build/lib; do
	mkdir -p "$APP/$d"
	printf 'from dotenv import load_dotenv\nload_dotenv(".env")\n' >"$APP/$d/m.py"
done
printf 'from dotenv import load_dotenv\nload_dotenv(".env.test")\n' >"$APP/webapp/test_app.py"
cp "$APP/webapp/test_app.py" "$APP/webapp/conftest.py"
touch "$APP/.venv/pyvenv.cfg"
mkdir -p "$APP/other-venv/lib"
touch "$APP/other-venv/pyvenv.cfg"
cp "$APP/node_modules/y/m.py" "$APP/other-venv/lib/m.py"
run_env app
only_finding env.app-loads-dotenv "$APP/build/lib/m.py" 2 error
clean_app

# --- no secret value in any message, whatever the format ---
printf 'APP_NAME=demo\nSECRET_KEY=%s\nSECRET_KEY=%s\nAPI_TOKEN=%s\nBROKEN LINE\n' \
	"$SECRET" "$SECRET" "$SECRET" >"$APP/.env"
chmod 644 "$APP/.env"
profile leak production "[vars]" "API_TOKEN = $PSECRET"
for fmt in json text github junit; do
	set +e
	env -i PATH=/usr/bin:/bin "${SAN_ENV[@]}" SECRET_KEY=$PSECRET API_TOKEN=other-$PSECRET \
		"$DEPLOY_RUN" check "$T/p/leak.ini" --format $fmt --only env >"$T/out" 2>&1
	set -e
	message_lacks "$SECRET"
	message_lacks "$PSECRET"
	message_has "SECRET_KEY"
done

finish
