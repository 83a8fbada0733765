#!/bin/bash
# Hostile Python packaging files: every malformed case of tests/hostile/lib.sh
# in place of the hashed lock (requirements.txt), an installed distribution's
# METADATA and RECORD, and the virtualenv's pyvenv.cfg.  check reports a
# finding naming the file (exit 1), run refuses with 125, nothing starts.
. "$SOURCE_ROOT/tests/e2e/lib.sh"
. "$SOURCE_ROOT/tests/hostile/lib.sh"
set -e
umask 022

ON="req venv" REQUIREMENTS=requirements.txt hostile_app 'verify_records = true'
fake_venv
chmod -R a+rX "$APP"
for f in "$APP/requirements.txt" "$DIST/METADATA" "$DIST/RECORD" "$APP/.venv/pyvenv.cfg"; do
	cp "$f" "$T/good.$(basename "$f")"
done

what=${1:-all}
if [ "$what" = all ] || [ "$what" = lock ]; then
	# UTF-16 with a BOM is read as pip reads it (and checked like UTF-8)
	OK_CASES=utf16 hostile_file "$APP/requirements.txt" "$T/good.requirements.txt" \
		'requirements\.txt' 'foo==1'
	# what pip refuses: a byte that is not UTF-8 (in a comment too), a
	# Windows path; one finding at the line
	for c in '# caf\xe9' 'C:\\wheels\\foo-1.0-py3-none-any.whl' '# coding: koi8-r'; do
		{ printf '%b\n' "$c"; cat "$T/good.requirements.txt"; } >"$APP/requirements.txt"
		hostile "lock: $c" 1 'requirements\.txt:1' --profiles "$P" check prod
		hostile "lock: $c" 125 'requirements\.txt:1' --profiles "$P" run prod
	done
	cp "$T/good.requirements.txt" "$APP/requirements.txt"
fi
if [ "$what" = all ] || [ "$what" = include ]; then
	# the lock includes the hashed pins (-r): every case in place of the included
	# file, whose error names it, and include chains too deep or in a cycle,
	# named with the file:line of the -r
	cp "$T/good.requirements.txt" "$APP/pins.txt"
	printf '# locked\n-r pins.txt\n' >"$APP/requirements.txt"
	cp "$APP/pins.txt" "$T/good.pins.txt"
	# (empty, it pins nothing: foo is installed but not in the lock)
	OK_CASES=utf16 hostile_file "$APP/pins.txt" "$T/good.pins.txt" \
		'pins\.txt|foo 1\.0 is installed .* not in the lock' 'foo==1'
	for i in $(seq 1 40); do printf -- '-r inc%d.txt\n' "$((i + 1))" >"$APP/inc$i.txt"; done
	cp "$T/good.pins.txt" "$APP/inc41.txt"
	printf -- '-r inc1.txt\n' >"$APP/requirements.txt"
	hostile "41 nested includes" 1 'inc31\.txt:1' --profiles "$P" check prod
	message_has 'includes nested more than 32 deep'
	hostile "41 nested includes" 125 'inc31\.txt:1' --profiles "$P" run prod
	printf -- '-r cyc-b.txt\n' >"$APP/cyc-a.txt"
	printf -- 'foo==1.0\n-r cyc-a.txt\n' >"$APP/cyc-b.txt"
	printf -- '-r cyc-a.txt\n' >"$APP/requirements.txt"
	hostile "include cycle" 1 'cyc-b\.txt:2' --profiles "$P" check prod
	message_has 'include cycle'
	hostile "include cycle" 125 'cyc-b\.txt:2' --profiles "$P" run prod
	printf -- '-r requirements.txt\n' >"$APP/requirements.txt"
	hostile "includes itself" 1 'requirements\.txt:1' --profiles "$P" check prod
	message_has 'include cycle'
	cp "$T/good.requirements.txt" "$APP/requirements.txt"
	rm -f "$APP"/inc*.txt "$APP"/cyc-*.txt "$APP/pins.txt"
fi
if [ "$what" = all ] || [ "$what" = metadata ]; then
	hostile_file "$DIST/METADATA" "$T/good.METADATA" 'METADATA' 'Versi'
fi
if [ "$what" = all ] || [ "$what" = record ]; then
	# an empty RECORD lists nothing to verify, and rows without a hash are
	# not verified (as pip): garbage rows without one are harmless
	OK_CASES="empty latin1 ansi long-line-10m many-lines unterminated" \
		hostile_file "$DIST/RECORD" "$T/good.RECORD" 'RECORD' 'sha256='
	# rows with a hash that cannot hold: a bad digest, a
	# wrong size, a file that is not there, a million of them
	bad_rows=(
		'foo/__init__.py,sha256=!!not-base64!!,10'
		'foo/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,-5'
		'foo/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0'
	)
	for row in "${bad_rows[@]}"; do
		{ cat "$T/good.RECORD"; printf '%s\n' "$row"; } >"$DIST/RECORD"
		hostile "row $row" 1 'RECORD' --profiles "$P" check prod
		hostile "row $row" 125 'RECORD' --profiles "$P" run prod
	done
	{ cat "$T/good.RECORD"; yes 'foo/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0' |
		head -n 1000000; } >"$DIST/RECORD"
	hostile "a million missing files" 1 'RECORD' --profiles "$P" check prod
	check "a million missing files: 21 findings" \
		test "$(grep -c '^error req.record-missing-file' "$T/out")" = 21
	check "a million missing files: the rest counted" \
		grep -q '999980 more files of this RECORD are missing or changed' "$T/out"
	cp "$T/good.RECORD" "$DIST/RECORD"
fi
if [ "$what" = all ] || [ "$what" = pyvenv ]; then
	# Python reads pyvenv.cfg line by line and ignores lines it does not know:
	# garbage after a good "home =" line is harmless; without one (binary,
	# UTF-16, a BOM, truncated before it) the venv is ignored: venv.missing
	OK_CASES="nul-in-line latin1 ansi unterminated" \
		hostile_file "$APP/.venv/pyvenv.cfg" "$T/good.pyvenv.cfg" 'pyvenv\.cfg' 'ho'
fi
finish
