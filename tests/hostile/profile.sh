#!/bin/bash
# Hostile profiles: every malformed case of tests/hostile/lib.sh in place of
# the profile, plus deep and cyclic extends chains.  check, show and diff exit
# 2 with one error naming the file (and line), run exits 125, nothing is started.
. "$SOURCE_ROOT/tests/e2e/lib.sh"
. "$SOURCE_ROOT/tests/hostile/lib.sh"
set -e
umask 022

hostile_app
mv "$P/prod.ini" "$T/good.ini"
cp "$T/good.ini" "$P/prod.ini"
run_dr --profiles "$P" check prod
check "the good profile passes (exit $rc)" [ "$rc" = 0 ]

# CASE TARGET [EXPECTED-MESSAGE-ERE]: check and run of profile prod
profile_case() {
	local c=$1 f=$2 what=${3:-}
	[ -n "$what" ] || what="$(basename "$f")"
	hostile "$c" 2 "$what" --profiles "$P" check prod
	# one error line, naming the file
	check "$c: check prints one error" test "$(grep -c 'error' "$T/err")" = 1
	hostile "$c" 2 "$what" --profiles "$P" check prod --format json
	check "$c: the JSON names the file" grep -qF "$(basename "$f")" "$T/out"
	hostile "$c" 125 "$what" --profiles "$P" run prod
	hostile "$c" 2 "$what" --profiles "$P" show prod
	hostile "$c" 2 "$what" --profiles "$P" diff prod prod
}

for c in $CASES; do
	TRUNCATE_AFTER='[chec' make_case "$c" "$P/prod.ini" "$T/good.ini"
	case $c in
	symlink-dangling) profile_case "$c" "$P/prod.ini" "prod" ;;
	*) profile_case "$c" "$P/prod.ini" ;;
	esac
	rm -rf "$P/prod.ini" "$P/prod.ini.loop"
done

# the same cases in a parent of the chain: the parent is named
printf '[profile]\nextends = base\n' >"$T/child.ini"
for c in binary nul-in-line latin1 long-line-10m big-100m fifo dev-zero directory unreadable \
	symlink-loop; do
	cp "$T/child.ini" "$P/prod.ini"
	make_case "$c" "$P/base.ini" "$T/good.ini"
	profile_case "parent-$c" "$P/base.ini" "base"
	rm -rf "$P/base.ini" "$P/base.ini.loop"
done

# deep extends chains: 16 files are fine, 17 are not; cycles; self
prev=
for i in $(seq 1 17); do
	{ [ -z "$prev" ] || printf '[profile]\nextends = %s\n' "$prev"; } >"$P/deep$i.ini"
	prev=deep$i
done
cat "$T/good.ini" >>"$P/deep1.ini"
sed -i '/^\[profile\]$/d; /^stage/d' "$P/deep1.ini"
printf '[profile]\nstage = production\n' >>"$P/deep1.ini"
run_dr --profiles "$P" check deep16
check "a chain of 16 profiles loads (exit $rc)" [ "$rc" = 0 ]
cat "$T/err" >&2
hostile deep-17 2 'deep' --profiles "$P" check deep17
hostile deep-17 125 'deep' --profiles "$P" run deep17
printf '[profile]\nextends = cycb\n' >"$P/cyca.ini"
printf '[profile]\nextends = cyca\n' >"$P/cycb.ini"
hostile cycle 2 'cyc[ab]\.ini:2' --profiles "$P" check cyca
hostile cycle 125 'cyc[ab]\.ini:2' --profiles "$P" run cyca
printf '[profile]\nextends = self\n' >"$P/self.ini"
hostile self 2 'self\.ini:2' --profiles "$P" check self
printf '[profile]\nextends = ../../etc/passwd\n' >"$P/escape.ini"
hostile extends-escape 2 'escape\.ini:2' --profiles "$P" check escape
printf '[profile]\nextends = missing\n' >"$P/orphan.ini"
hostile extends-missing 2 'orphan\.ini:2' --profiles "$P" check orphan
finish
