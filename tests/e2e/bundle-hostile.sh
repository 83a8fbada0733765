#!/bin/bash
# unbundle refuses hostile archives: absolute paths, '..' components, symlinks and hard
# links out of the directory, devices, FIFOs, setuid/setgid files, in tar and zip.  Each
# one is refused with exit 1 and a message naming the archive and the hazard; nothing is
# written outside the directory, the directory itself is not created, no temporary
# directory is left behind.  Unreadable input is exit 2.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
set -e

# A small app and its profile: the good bundle every hostile archive starts from.
mkdir -p "$T/app/webapp" "$T/app/profiles" "$T/h" "$T/victim"
echo "app = None" >"$T/app/webapp/wsgi.py"
printf '[app]\nmodule = webapp.wsgi:app\nrequirements =\n' >"$T/app/profiles/prod.ini"
echo "do not touch" >"$T/victim/target"
cd "$T"
"$DEPLOY_RUN" -q --profiles app/profiles bundle prod -o good.tar.gz
run_dr verify-bundle good.tar.gz
check "the good bundle verifies ($(cat err))" test "$rc" -eq 0

victim_state() { (cd "$T/victim" && find . -printf '%p %y %s %m\n' | sort); }
before=$(victim_state)

$PY "$SOURCE_ROOT/tests/e2e/make-hostile-archives.py" hostile good.tar.gz "$T/h" "$T/victim" \
	>"$T/cases"
check "the hostile archives were made" test -s "$T/cases"
while IFS=$'\t' read -r name words; do
	a=$T/h/$name
	run_dr unbundle "$a" -C "$T/h/dest"
	if [ "$rc" -ne 1 ]; then
		fail "$name: unbundle exit $rc, expected 1: $(cat err)"
	elif ! grep -q "^deploy-run: $a: error: .*$words" err; then
		fail "$name: the message does not say '$words': $(cat err)"
	else
		pass
	fi
	check "$name: the directory is not created" test ! -e "$T/h/dest"
	check "$name: no temporary directory is left" \
		bash -c "! ls -a '$T/h' | grep -q unbundle"
	check "$name: the victim is untouched" test "$(victim_state)" = "$before"
	run_dr verify-bundle "$a"
	check "$name: verify-bundle exits 1 too ($rc)" test "$rc" -eq 1
done <"$T/cases"
check "nothing named evil-* was written anywhere" \
	test -z "$(find "$T" / -xdev -name 'evil-*' 2>/dev/null | grep -v '\.tar\.gz$\|\.zip$' || true)"

# A hostile MANIFEST is refused as well: it may not name '..' paths.
$PY - good.tar.gz "$T/h/manifest-dotdot.tar.gz" <<'EOF'
import io, sys, tarfile
src = tarfile.open(sys.argv[1])
out = tarfile.open(sys.argv[2], "w:gz", format=tarfile.PAX_FORMAT)
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isreg() else None
    if m.name == "MANIFEST":
        data += b"f 0644 1 " + b"0" * 64 + b" ../evil-manifest\n"
        m.size = len(data)
    out.addfile(m, io.BytesIO(data) if data is not None else None)
out.close()
EOF
run_dr unbundle "$T/h/manifest-dotdot.tar.gz" -C "$T/h/dest"
check "a MANIFEST naming '..' is refused ($rc: $(cat err))" \
	bash -c "[ $rc -eq 1 ] && grep -q \"MANIFEST: line .*'..' component\" '$T/err' && [ ! -e '$T/h/dest' ]"

# Not a bundle at all, or not readable: exit 2, nothing created.
mkfifo "$T/h/a-fifo.tar.gz"
run_dr unbundle "$T/h/a-fifo.tar.gz" -C "$T/h/dest"
check "a FIFO as the archive is exit 2 and does not block ($rc)" \
	bash -c "[ $rc -eq 2 ] && grep -q 'not a regular file' '$T/err'"
head -c 100000 /dev/urandom >"$T/h/random.tar.gz"
run_dr unbundle "$T/h/random.tar.gz" -C "$T/h/dest"
check "random bytes are exit 2 ($rc)" test "$rc" -eq 2
tar -C "$T/app" -czf "$T/h/plain.tar.gz" webapp
run_dr unbundle "$T/h/plain.tar.gz" -C "$T/h/dest"
check "a tar without MANIFEST is refused ($rc)" \
	bash -c "[ $rc -eq 1 ] && grep -q 'not a deploy-run bundle' '$T/err'"
check "none of them created the directory" test ! -e "$T/h/dest"
run_dr unbundle good.tar.gz -C "$T/nowhere/dest"
check "a missing parent directory is exit 2 ($rc)" test "$rc" -eq 2
run_dr unbundle good.tar.gz
check "unbundle without -C is a usage error ($rc)" test "$rc" -eq 2

# The good bundle still unpacks.
run_dr unbundle good.tar.gz -C "$T/h/dest"
check "the good bundle unpacks ($(cat err))" \
	bash -c "[ $rc -eq 0 ] && [ -f '$T/h/dest/webapp/wsgi.py' ] && [ -f '$T/h/dest/profiles/prod.ini' ]"

finish
