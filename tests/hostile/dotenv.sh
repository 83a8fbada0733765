#!/bin/bash
# Hostile .env files: every malformed case of tests/hostile/lib.sh in place of
# the profile's .env, also read as the profile's only env file.  check reports
# a finding of the env family naming the file (exit 1), run refuses with 125,
# show and check never block or crash, nothing is started.
. "$SOURCE_ROOT/tests/e2e/lib.sh"
. "$SOURCE_ROOT/tests/hostile/lib.sh"
set -e
umask 022

hostile_app '[env]' 'files = .env' 'required = APP_NAME, LOG_LEVEL'
printf '# the app\nAPP_NAME=demo\nGREETING="hello ${APP_NAME}"\nLOG_LEVEL=info\n' >"$T/good.env"
cp "$T/good.env" "$APP/.env"
run_dr --profiles "$P" check prod
check "the good .env passes (exit $rc)" [ "$rc" = 0 ]

for c in $CASES; do
	TRUNCATE_AFTER='GREETING="hel' make_case "$c" "$APP/.env" "$T/good.env"
	hostile "$c" 1 '\.env' --profiles "$P" check prod
	hostile "$c" 1 '"env\.[a-z-]+"' --profiles "$P" check prod --format json
	hostile "$c" 125 '\.env' --profiles "$P" run prod
	# show describes the environment and never blocks on it
	set +e
	timeout -k 2 10 "$DEPLOY_RUN" --profiles "$P" show prod >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	set -e
	check "$c: show neither crashes nor hangs (exit $rc)" test "$rc" -lt 124
	rm -rf "$APP/.env" "$APP/.env.loop"
done

# bindings os.environ refuses: env.parse at the line, never in the server's
# environment; a key holding "=" in development too
for c in "'A=B'=c" "'X=Y'=\${APP_NAME}" 'K=a\0b' "'K\0L'=1"; do
	{ cat "$T/good.env"; printf "$c\n"; } >"$APP/.env"
	hostile "refused $c" 1 '\.env:5: .* cannot be an environment variable' --profiles "$P" check prod
	hostile "refused $c" 125 '\.env:5' --profiles "$P" run prod
done
sed -i 's/^stage = production/stage = development/' "$P/prod.ini"
printf "'A=B'=c\n" >>"$APP/.env"
hostile "refused in development" 1 '\.env:6: A=B cannot be' --profiles "$P" check prod
hostile "refused in development" 125 '\.env:6' --profiles "$P" run prod
sed -i 's/^stage = development/stage = production/' "$P/prod.ini"

# many bad or repeated lines: 20 findings of each id and one that counts the rest
{ cat "$T/good.env"; yes = | head -n 100000; yes A=1 | head -n 100000; } >"$APP/.env"
run_dr --profiles "$P" check prod --format json
check "100000 bad lines: exit 1" [ "$rc" = 1 ]
check "100000 bad lines: 21 env.parse findings" \
	test "$(json_ids "$T/out" | grep -c '^env.parse$')" = 21
check "100000 repeated keys: 21 env.duplicate-key findings" \
	test "$(json_ids "$T/out" | grep -c '^env.duplicate-key$')" = 21
message_has '99980 more lines python-dotenv cannot parse from line 25 on'
message_has '99979 more keys set twice from line 100026 on'
finish
