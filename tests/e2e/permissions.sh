#!/bin/bash
# Files other users can write are refused in production: profile.permissions
# (the profile, every file of its extends chain, their directory) and
# env.permissions (.env files), with the same rule: writable only by root and
# by the user the server runs as.  check reports them (error in production,
# warning elsewhere); run refuses with 125 and never starts the server.
. "$(dirname "$0")/lib.sh"
set -e
umask 022

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (chown to another user)"
	exit 77
fi
APP=$T/app
P=$T/profiles
MARK=$T/started
chmod 755 "$T"
mkdir -p "$APP/.venv/bin" "$P"
# the server: writes a marker, so a test can tell it never started
printf '#!/bin/sh\ntouch %q\n' "$MARK" >"$APP/.venv/bin/gunicorn"
chmod 755 "$APP/.venv/bin/gunicorn"
printf 'APP_NAME=demo\n' >"$APP/.env"
chmod 600 "$APP/.env"

# profile NAME STAGE [LINES...]: a profile of the app with every family but env off
profile() {
	local name=$1 stage=$2
	shift 2
	{
		echo "[profile]"
		echo "stage = $stage"
		printf '%s\n' "$@"
		echo "[app]"
		echo "root = $APP"
		echo "module = app:app"
		echo "requirements ="
		echo "[env]"
		echo "files = .env"
		echo "[checks]"
		echo "venv = off"
		echo "req = off"
		echo "path = off"
		echo "server = off"
	} >"$P/$name.ini"
}

# dr_check NAME: check --format json, output in $T/out, status in $rc
dr_check() { run_dr --profiles "$P" check "$1" --format json; }
# dr_run NAME: run; the server must not have started when refused
dr_run() {
	rm -f "$MARK"
	run_dr --profiles "$P" run "$@"
}
# check_refuses NAME WHAT: check exits 1 (its report in $T/out)
check_refuses() { dr_check "$1"; check "$2: check exits 1" [ "$rc" = 1 ]; }
# run_refuses NAME WHAT: run exits 125, and the server never started
run_refuses() { dr_run "$1"; check "$2: run exits 125" test "$rc" = 125 -a ! -e "$MARK"; }

profile prod production
profile dev development
printf '[profile]\nstage = production\n' >"$P/base.ini"
profile child production "extends = base"

# --- clean: root-owned 0644 files in a 0755 directory ---
dr_check prod
check "clean: exit 0" [ "$rc" = 0 ]
assert_ids "$T/out"
dr_run prod
check "clean: run starts the server" test "$rc" = 0 -a -e "$MARK"

# --- the profile writable by its group, by others ---
for mode in 664 646 666; do
	chmod "$mode" "$P/prod.ini"
	check_refuses prod "mode $mode"
	only_finding profile.permissions "$P/prod.ini" "" error
	dr_run prod
	check "mode $mode: run exits 125" [ "$rc" = 125 ]
	check "mode $mode: the server never started" [ ! -e "$MARK" ]
	check "mode $mode: run names the file" grep -qF "$P/prod.ini" "$T/err"
	check "mode $mode: run says why" grep -q "refusing to start" "$T/err"
	dr_run prod --no-check
	check "mode $mode: run --no-check still refuses in production" \
		test "$rc" = 125 -a ! -e "$MARK"
done
chmod 664 "$P/prod.ini"
dr_check prod
message_has "(mode 0664) is writable by its group"
chmod 646 "$P/prod.ini"
dr_check prod
message_has "(mode 0646) is writable by others"
chmod 644 "$P/prod.ini"

# --- development: a warning, and run goes ahead ---
chmod 666 "$P/dev.ini"
dr_check dev
check "development: check exits 0" [ "$rc" = 0 ]
has_finding profile.permissions "$P/dev.ini" "" warning
dr_run dev
check "development: run starts" test "$rc" = 0 -a -e "$MARK"
chmod 644 "$P/dev.ini"

# --- a file of the extends chain ---
dr_check child
assert_ids "$T/out"
chmod 666 "$P/base.ini"
check_refuses child "writable parent"
only_finding profile.permissions "$P/base.ini" "" error
run_refuses child "writable parent"
chmod 644 "$P/base.ini"

# --- owned by another user ---
chown 65534 "$P/prod.ini"
check_refuses prod "foreign owner"
assert_ids "$T/out" profile.permissions
message_has "is owned by nobody (uid 65534), neither root nor the user the server runs as"
run_refuses prod "foreign owner"
# ... unless that user is the one the server runs as ([app] user)
profile asnobody production
sed -i 's/^\[app\]$/[app]\nuser = nobody/' "$P/asnobody.ini"
chown 65534 "$P/asnobody.ini"
dr_check asnobody
assert_ids "$T/out"
chown 0 "$P/prod.ini" "$P/asnobody.ini"

# --- the directory: writable by others, by its group; sticky is fine ---
chmod 777 "$P"
check_refuses prod "writable directory"
assert_ids "$T/out" profile.permissions
message_has "the directory $P (mode 0777) holding the profile prod.ini is writable by others"
run_refuses prod "writable directory"
chmod 775 "$P"
dr_check prod
assert_ids "$T/out" profile.permissions
chmod 1777 "$P"
dr_check prod
assert_ids "$T/out"
chmod 755 "$P"

# --- .env files: the same rule (env.permissions) ---
chmod 620 "$APP/.env"
check_refuses prod "group-writable .env"
only_finding env.permissions "$APP/.env" "" error
message_has "is writable by its group"
run_refuses prod "group-writable .env"
chmod 600 "$APP/.env"
chown 65534 "$APP/.env"
dr_check prod
assert_ids "$T/out" env.permissions
message_has "is owned by nobody (uid 65534)"
run_refuses prod "foreign .env"
# ... unless it is the user the server runs as, in every form [app] user
# takes (user = 65534 and nobody:nogroup were once resolved by name only,
# and refused run in production with a false env.permissions)
for spec in nobody 65534 nobody:nogroup 65534:65534; do
	profile "as-$spec" production
	sed -i "s/^\[app\]\$/[app]\nuser = $spec/" "$P/as-$spec.ini"
	dr_check "as-$spec"
	assert_ids "$T/out"
	run_dr --profiles "$P" run "as-$spec"
	check "user = $spec: run is not refused (exit $rc)" [ "$rc" != 125 ]
	check "user = $spec: run finds nothing wrong with the .env" \
		bash -c '! grep -q "env.permissions" "$1"' _ "$T/err"
done
chown 0 "$APP/.env"
dr_check prod
assert_ids "$T/out"
finish
