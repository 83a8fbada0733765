#!/bin/bash
# Hostile release bundles: every malformed case of tests/hostile/lib.sh in
# place of a bundle made from the example (truncated archives, binary,
# FIFOs, devices, 100 MB files...).  verify-bundle and unbundle fail (1:
# verification failed, 2: unreadable or malformed archive) with an error
# naming the file, extract nothing, never block or crash.  Data appended to
# an archive (or put before a zip) leaves its entries intact: those cases
# verify and unpack.  (Archives with hostile entries: tests/e2e/bundle-hostile.sh.)
. "$SOURCE_ROOT/tests/e2e/lib.sh"
. "$SOURCE_ROOT/tests/hostile/lib.sh"
set -e
umask 022

appended="latin1 ansi unterminated long-line-10m many-lines big-100m sparse-100m"
mkdir -p "$T/in"
for ext in tar.gz zip; do
	"$DEPLOY_RUN" -q --profiles "$SOURCE_ROOT/profiles" bundle prod -o "$T/good.$ext" 2>/dev/null
	run_dr verify-bundle "$T/good.$ext"
	check "the good $ext bundle verifies (exit $rc)" [ "$rc" = 0 ]
	# a zip's directory is found from its end, within 64 KiB of it
	ok=$appended
	# (big-100m repeats the archive: the last copy is a whole zip)
	[ "$ext" = zip ] && ok="latin1 ansi unterminated bom-junk big-100m"
	B=$T/in/bundle.$ext
	for c in $CASES; do
		make_case "$c" "$B" "$T/good.$ext"
		rm -rf "$T/unpacked"
		if [[ " $ok " == *" $c "* ]]; then
			run_dr verify-bundle "$B"
			check "$ext-$c: harmless, verifies (exit $rc)" [ "$rc" = 0 ]
			run_dr unbundle "$B" -C "$T/unpacked"
			check "$ext-$c: harmless, unpacks (exit $rc)" test "$rc" = 0 -a -d "$T/unpacked/profiles"
		else
			hostile "$ext-$c" '1|2' "bundle\\.$ext" verify-bundle "$B"
			# 2: one error; 1: one per entry at fault, then the count
			if [ "$rc" = 2 ]; then
				check "$ext-$c: one error" test "$(grep -c 'error' "$T/err")" = 1
			else
				check "$ext-$c: ends with the count" \
					bash -c 'tail -n 1 "$1" | grep -q "error: verification failed ("' _ "$T/err"
			fi
			hostile "$ext-$c" '1|2' "bundle\\.$ext" unbundle "$B" -C "$T/unpacked"
			check "$ext-$c: unbundle extracted nothing" \
				test ! -e "$T/unpacked" -o -z "$(ls -A "$T/unpacked" 2>/dev/null)"
		fi
		rm -rf "$B" "$B.loop"
	done
done
finish
