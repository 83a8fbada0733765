#!/bin/bash
# Nothing quoted from input reaches a terminal raw: names and values holding escape
# sequences (ESC, BEL, the C1 CSI) come out masked ('?') through error_print() and
# cmd_print_line(), on stdout and stderr alike, for verify-bundle, unbundle, bundle,
# init, profiles, show, diff, usage errors and probe.  Each case also checks the message is
# still there (masked), so that a command that printed nothing would not pass.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
set -e

EVIL=$'evil\e]0;pwned\a\e[31m\xc2\x9b2J'

# no_escapes CASE: neither $T/out nor $T/err holds ESC, BEL or U+009B.
no_escapes() {
	if LC_ALL=C grep -q $'[\033\007]\|\302\233' "$T/out" "$T/err"; then
		fail "$1: an escape byte reached the output: $(cat -v "$T/out" "$T/err")"
	else
		pass
	fi
}
# says CASE TEXT: stdout or stderr holds TEXT (fixed string).
says() {
	if cat "$T/out" "$T/err" | grep -qF -- "$2"; then pass; else
		fail "$1: the output does not say '$2': $(cat -v "$T/out" "$T/err")"
	fi
}

# ---- bundles ----
mkdir -p "$T/app/webapp" "$T/app/profiles"
echo "app = None" >"$T/app/webapp/wsgi.py"
printf '[app]\nmodule = webapp.wsgi:app\nrequirements =\n' >"$T/app/profiles/prod.ini"
cd "$T"
"$DEPLOY_RUN" -q --profiles app/profiles bundle prod -o good.tar.gz

# an extra entry whose name holds the escapes
$PY - good.tar.gz evil-entry.tar.gz "$EVIL" <<'EOF'
import io, sys, tarfile
src = tarfile.open(sys.argv[1])
out = tarfile.open(sys.argv[2], "w:gz", format=tarfile.PAX_FORMAT)
for m in src.getmembers():
    out.addfile(m, src.extractfile(m) if m.isreg() else None)
name = sys.argv[3].encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
m = tarfile.TarInfo(name)
m.size = 2
out.addfile(m, io.BytesIO(b"x\n"))
out.close()
EOF
run_dr verify-bundle evil-entry.tar.gz
check "verify-bundle of an entry named with escapes exits 1 ($rc)" test "$rc" -eq 1
no_escapes "verify-bundle, entry name"
says "verify-bundle, entry name" "evil?]0;pwned??[31m"
run_dr unbundle evil-entry.tar.gz -C dest
check "unbundle of it exits 1 ($rc)" test "$rc" -eq 1
no_escapes "unbundle, entry name"
says "unbundle, entry name" "is not in the MANIFEST"

# a MANIFEST whose profile and version fields decode to escapes: the bundle verifies,
# and the OK line quotes them
$PY - good.tar.gz evil-manifest.tar.gz <<'EOF'
import io, re, sys, tarfile
src = tarfile.open(sys.argv[1])
out = tarfile.open(sys.argv[2], "w:gz", format=tarfile.PAX_FORMAT)
for m in src.getmembers():
    data = src.extractfile(m).read() if m.isreg() else None
    if m.name == "MANIFEST":
        data = re.sub(rb"(?m)^profile .*$", b"profile %1B]0;pwned%07%1B[31m", data)
        data = re.sub(rb"(?m)^version .*$", b"version %C2%9B2J", data)
        m.size = len(data)
    out.addfile(m, io.BytesIO(data) if data is not None else None)
out.close()
EOF
run_dr verify-bundle evil-manifest.tar.gz
check "verify-bundle of a MANIFEST with escapes in its fields exits 0 ($rc: $(cat -v err))" \
	test "$rc" -eq 0
no_escapes "verify-bundle, MANIFEST fields"
says "verify-bundle, MANIFEST fields" "(profile ?]0;pwned??[31m, deploy-run ??2J)"
run_dr unbundle evil-manifest.tar.gz -C dest2
check "unbundle of it exits 0 ($rc)" test "$rc" -eq 0
no_escapes "unbundle, MANIFEST fields"
says "unbundle, MANIFEST fields" "entries, profile ?]0;pwned??[31m)"

# bundle: a note quotes a file name of the app (a FIFO left out); libarchive cannot
# store a name that is not ASCII in the C locale, an error that quotes it
cp -r app app2
mkfifo "app2/fifo-evil"$'\e]0;pwned\a'
run_dr --profiles app2/profiles bundle prod -o app2.tar.gz
check "bundle of an app with an escape in a file name exits 0 ($rc: $(cat -v err))" \
	test "$rc" -eq 0
no_escapes "bundle, a note naming a file"
says "bundle, a note naming a file" "note: "
printf 'X=1\n' >"app2/$EVIL"
LC_ALL=C run_dr --profiles app2/profiles bundle prod -o app3.tar.gz
no_escapes "bundle, an error naming a file"

# ---- init ----
mkdir -p "$T/init"
printf 'from flask import Flask\napp = Flask(__name__)\n' >"$T/init/wsgi.py"
printf 'A=1\n' >"$T/init/.env.$EVIL"
run_dr init "$T/init"
check "init of an app with an escape in a .env file name exits 0 ($rc: $(cat -v err))" \
	test "$rc" -eq 0
no_escapes "init, the detected files"
says "init, the detected files" "not loaded: .env.evil?]0;pwned"
run_dr init "$T/init"
check "init over existing profiles exits 2 ($rc)" test "$rc" -eq 2
no_escapes "init, existing profiles"
mkdir -p "$T/$EVIL/profiles"
touch "$T/$EVIL/profiles/base.ini"
run_dr init "$T/$EVIL"
check "init where a profile exists, in a directory named with escapes, exits 2 ($rc)" \
	test "$rc" -eq 2
no_escapes "init, existing profile in an escaped directory"
says "init, existing profile in an escaped directory" "evil?]0;pwned??[31m??2J/profiles/base.ini: error: the profile exists"
run_dr init "$T/missing-$EVIL"
check "init of a missing directory exits 2 ($rc)" test "$rc" -eq 2
no_escapes "init, not a directory"
says "init, not a directory" "error: not a directory"

# ---- profiles ----
mkdir -p "$T/p"
printf '[profile]\ndescription = %s\n[app]\nmodule = a:b\n' "$EVIL" >"$T/p/good.ini"
printf '[app]\nmodule = a:b\n' >"$T/p/$EVIL.ini"
printf '[app]\n%s = 1\n' "$EVIL" >"$T/p/broken.ini"
run_dr --profiles "$T/p" profiles
no_escapes "profiles, names, descriptions and errors"
says "profiles, names, descriptions and errors" "evil?]0;pwned??[31m??2J"
says "profiles, names, descriptions and errors" "(invalid)"
run_dr --profiles "$T/no-$EVIL" profiles
check "profiles of a missing directory exits 2 ($rc)" test "$rc" -eq 2
no_escapes "profiles, a missing directory"
says "profiles, a missing directory" "cannot open the profiles directory"

# ---- show and usage errors ----
mkdir -p "$T/s/profiles"
printf 'GREETING=%s\n' "$EVIL" >"$T/s/.env"
printf '[app]\nroot = ..\nmodule = a:b\nrequirements =\n[env]\nfiles = .env\n' \
	>"$T/s/profiles/dev.ini"
run_dr -C "$T/s" show dev
check "show exits 0 ($rc: $(cat -v err))" test "$rc" -eq 0
no_escapes "show, a value from a .env file"
says "show, a value from a .env file" "GREETING=evil?]0;pwned"
run_dr -C "$T/s" show dev --format json
check "show --format json escapes it instead" \
	bash -c "grep -qF 'evil\\u001b]0;pwned\\u0007' '$T/out'"
# diff: a value and a variable's name holding them, both sides
printf 'GREETING=plain\nX%s=1\n' "$EVIL" >"$T/s/.env.b"
printf '[profile]\nextends = dev\n[env]\nfiles = .env, .env.b\n' >"$T/s/profiles/b.ini"
run_dr -C "$T/s" diff dev b
check "diff exits 1 ($rc: $(cat -v err))" test "$rc" -eq 1
no_escapes "diff, a value and a name from a .env file"
says "diff, a value and a name from a .env file" "evil?]0;pwned"
says "diff, a value and a name from a .env file" "Xevil?]0;pwned"
cp "$T/s/profiles/b.ini" "$T/s/profiles/$EVIL.ini"
run_dr -C "$T/s" diff dev "profiles/$EVIL.ini"
check "diff of a profile named with escapes exits 1 ($rc: $(cat -v err))" test "$rc" -eq 1
no_escapes "diff, a profile's path as given"
says "diff, a profile's path as given" "between dev and evil?]0;pwned"
run_dr check "--$EVIL"
check "a usage error exits 2 ($rc)" test "$rc" -eq 2
no_escapes "usage error quoting an argument"
says "usage error quoting an argument" "--evil?]0;pwned"

finish
