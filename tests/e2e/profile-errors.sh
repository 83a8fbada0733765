#!/bin/bash
# Every profile error gives one message naming file:line, exit 2 from check
# and 125 from run, and nothing is started.
. "$(dirname "$0")/lib.sh"
set -e
P="$T/profiles"
mkdir -p "$P" "$T/app/.venv/bin"
marker="$T/started"
# a server that would leave a trace if it were ever started
printf '#!/bin/sh\ntouch %s\n' "$marker" >"$T/app/.venv/bin/gunicorn"
chmod +x "$T/app/.venv/bin/gunicorn"
good='[app]
root = ../app
module = webapp.wsgi:app
requirements =
[checks]
venv = off
req = off
path = off
server = off
env = off
'
printf '%s' "$good" >"$P/good.ini"

# case NAME EXPECTED-LOCATION EXPECTED-TEXT: the profile NAME is already written.
case_() {
	local name=$1 loc=$2 text=$3 out
	run_dr --profiles "$P" check "$name"
	check "$name: check exits 2 (got $rc)" [ "$rc" = 2 ]
	check "$name: one line on stderr" [ "$(wc -l <"$T/err")" = 1 ]
	check "$name: message names $loc" grep -qF "deploy-run: $loc: error: " "$T/err"
	grep -qF -- "$text" "$T/err" && pass || { fail "$name: message says '$text'"; cat "$T/err" >&2; }
	if [ -n "${4:-}" ]; then
		grep -qF -- "$4" "$T/err" && pass || { fail "$name: says what is accepted: $4"; cat "$T/err" >&2; }
	fi
	check "$name: nothing on stdout" [ ! -s "$T/out" ]
	run_dr --profiles "$P" run "$name"
	check "$name: run exits 125 (got $rc)" [ "$rc" = 125 ]
	check "$name: run gives the same message" grep -qF "deploy-run: $loc: error: " "$T/err"
	check "$name: nothing was started" [ ! -e "$marker" ]
	# a bare PROFILE means run
	run_dr --profiles "$P" "$name"
	check "$name: bare run exits 125" [ "$rc" = 125 ]
	# the JSON report carries the error as a finding
	run_dr --profiles "$P" check "$name" --format json
	check "$name: json check exits 2" [ "$rc" = 2 ]
	check "$name: json names the file" [ "$(json_get "$T/out" 'd["findings"][0]["file"] is not None')" = True ]
}

printf '%s\n[sever]\nworkers = 2\n' "$good" >"$P/unknown-section.ini"
case_ unknown-section "$P/unknown-section.ini:12" "unknown section [sever]; did you mean [server]?"
printf '%s[server]\nwrokers = 2\n' "$good" >"$P/unknown-key.ini"
case_ unknown-key "$P/unknown-key.ini:12" "unknown key 'wrokers' in [server]; did you mean 'workers'?"
for spec in "reload|maybe|expected a boolean" "threads|many|expected an integer" \
	"timeout|30 parsecs|expected a duration" "worker_memory|lots|expected a size" \
	"log_level|loud|expected one of: critical, error, warning, info, debug, trace" \
	"workers|-1|expected auto or an integer" "bind|localhost|expected HOST:PORT" \
	"args|--name 'unclosed|unterminated quote"; do
	IFS='|' read -r key value text <<<"$spec"
	printf '%s[server]\n%s = %s\n' "$good" "$key" "$value" >"$P/bad-$key.ini"
	case_ "bad-$key" "$P/bad-$key.ini:12" "invalid value" "$text"
done
# a Prometheus directory that holds the app root or the profiles would be wiped with them
for spec in "root|.|12" "parent|..|12" "profiles|../profiles|12" "slash|/|12"; do
	IFS='|' read -r name value line <<<"$spec"
	printf '%s[cleanup]\nprometheus_dir = %s\n' "$good" "$value" >"$P/prom-$name.ini"
	case_ "prom-$name" "$P/prom-$name.ini:$line" "for [cleanup] prometheus_dir: it holds the app root or the profiles"
done
printf '[profile]\nextends = cyc2\n%s' "$good" >"$P/cyc1.ini"
printf '[profile]\nextends = cyc1\n' >"$P/cyc2.ini"
case_ cyc1 "$P/cyc2.ini:2" "extends cycle"
printf '[profile]\nextends = nowhere\n%s' "$good" >"$P/orphan.ini"
case_ orphan "$P/orphan.ini:2" "extends 'nowhere': profile not found"
: >"$P/empty.ini"
case_ empty "$P/empty.ini:1" "empty profile"
head -c 3000 /dev/urandom | tr -d '\000\n' >"$P/garbage.ini"
printf '\n' >>"$P/garbage.ini"
case_ garbage "$P/garbage.ini:1" "error"
{ printf '%s[server]\nargs = ' "$good"; head -c 10485760 /dev/zero | tr '\0' x; printf '\n'; } >"$P/longline.ini"
case_ longline "$P/longline.ini" "too large"
{ printf '%s[server]\nargs = ' "$good"; head -c 100000 /dev/zero | tr '\0' x; printf '\n'; } >"$P/line100k.ini"
case_ line100k "$P/line100k.ini:12" "line is too long"
printf 'module = a:b\n%s' "$good" >"$P/outside.ini"
case_ outside "$P/outside.ini:1" "outside any section"
mkdir "$P/adir.ini"
case_ adir "$P/adir.ini" "is a directory, expected a regular file"
mkfifo "$P/fifo.ini"
case_ fifo "$P/fifo.ini" "is a FIFO"
printf '%s' "$good" >"$P/secret.ini"
chmod 000 "$P/secret.ini"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# root reads anything: read as nobody instead
	chmod 755 "$T" "$P"
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DEPLOY_RUN" --profiles "$P" check secret >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	check "unreadable: exit 2" [ "$rc" = 2 ]
	check "unreadable: names the file" grep -qF "deploy-run: $P/secret.ini: error: cannot open: Permission denied" "$T/err"
elif [ "$(id -u)" != 0 ]; then
	case_ secret "$P/secret.ini" "Permission denied"
fi
# missing: named as the profile, or as a path
run_dr --profiles "$P" check missing
check "missing profile: exit 2" [ "$rc" = 2 ]
check "missing profile: says where it looked" grep -qF "profile 'missing' not found (looked for $P/missing.ini)" "$T/err"
run_dr --profiles "$P" run missing
check "missing profile: run exits 125" [ "$rc" = 125 ]
run_dr check "$T/nowhere/x.ini"
check "missing path: exit 2" [ "$rc" = 2 ]
check "missing path: names it" grep -qF "$T/nowhere/x.ini: error: profile not found" "$T/err"
# a near miss names the profile that is there
run_dr --profiles "$P" check goood
check "typo: did you mean" grep -qF "profile 'goood' not found (looked for $P/goood.ini); did you mean the profile 'good' ($P/good.ini)?" "$T/err"
(cd "$P/.." && "$DEPLOY_RUN" check good.ini 2>"$T/err") && rc=0 || rc=$?
check "a file name for a profile name: exit 2 (got $rc)" [ "$rc" = 2 ]
check "a file name for a profile name: did you mean" grep -qF "good.ini: error: profile not found; did you mean the profile 'good' (profiles/good.ini)?" "$T/err"
(cd "$T" && "$DEPLOY_RUN" check profiles/good 2>"$T/err") && rc=0 || rc=$?
check "a path without .ini: did you mean" grep -qF "profiles/good: error: profile not found; did you mean profiles/good.ini?" "$T/err"
(cd / && "$DEPLOY_RUN" check good 2>"$T/err") && rc=0 || rc=$?
check "no profiles directory: says so" grep -qF "there is no directory profiles here: -C DIR or --profiles DIR" "$T/err"
# the good profile is accepted, and run starts it (the fake server leaves its trace)
run_dr --profiles "$P" check good
check "good profile: check exits 0" [ "$rc" = 0 ]
run_dr --profiles "$P" run good --exec
check "good profile: run --exec starts the server" [ -e "$marker" ]
finish
