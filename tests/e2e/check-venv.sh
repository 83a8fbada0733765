#!/bin/bash
# The venv check family end to end: each finding provoked alone on a real
# virtualenv (python3 -m venv, offline), with its file and line, and none on
# a clean setup.  The caller's environment is controlled with env -i.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"

PYVER=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
APP=$T/app
mkdir -p "$APP/profiles"
/usr/bin/python3 -m venv --without-pip "$APP/.venv"
# a console script as pip writes it, with the venv's own interpreter
printf '#!%s/.venv/bin/python\nimport sys\n' "$APP" >"$APP/.venv/bin/gunicorn"
chmod 755 "$APP/.venv/bin/gunicorn"
: >"$APP/.env"
PROFILE=$APP/profiles/p.ini

# profile STAGE [EXTRA-INI-LINES...]: writes the profile; [app] lines first.
profile() {
	local stage=$1; shift
	{
		profile_head "$stage" .. webapp.wsgi:app "server = gunicorn" "python = $PYVER"
		for l in "$@"; do echo "$l"; done
		echo "[env]"
		echo "files = .env"
	} >"$PROFILE"
}


# dr ENV-ASSIGNMENTS... : check the venv family with a clean caller environment.
dr() {
	set +e
	env -i PATH=/usr/bin:/bin HOME="$T" "${SAN_ENV[@]}" "$@" "$DEPLOY_RUN" check "$PROFILE" --only venv \
		--format json >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}


# clean
profile production
dr
assert_ids "$T/out" ; check "clean: exit 0" [ "$rc" = 0 ]

# venv.missing
profile production "venv = .nope"
dr
only_finding venv.missing "$PROFILE" "$(line_of "$PROFILE" "venv =")"
check "missing: exit 1" [ "$rc" = 1 ]
# the hint is the command to type: this venv's path, the profile's Python
message_has "\"hint\": \"create it: python$PYVER -m venv $APP/.nope\""
# without [app] python: python3
sed -i '/^python = /d' "$PROFILE"
dr
message_has "\"hint\": \"create it: python3 -m venv $APP/.nope\""

# venv.system-site-packages: an error in production, a warning in development
profile production
sed -i 's/^include-system-site-packages = false/include-system-site-packages = true/' \
	"$APP/.venv/pyvenv.cfg"
dr
only_finding venv.system-site-packages "$APP/.venv/pyvenv.cfg" \
	"$(line_of "$APP/.venv/pyvenv.cfg" "include-system-site-packages")"
check "system-site: error in production" [ "$(json_get "$T/out" "d['findings'][0]['severity']")" = error ]
profile development
dr
check "system-site: warning in development" \
	[ "$(json_get "$T/out" "d['findings'][0]['severity']")" = warning ]
sed -i 's/^include-system-site-packages = true/include-system-site-packages = false/' \
	"$APP/.venv/pyvenv.cfg"

# venv.python-version: [app] python against the venv
profile production
sed -i "s/^python = .*/python = 2.7/" "$PROFILE"
dr
only_finding venv.python-version "$PROFILE" "$(line_of "$PROFILE" "python =")"
message_has "expects 2.7"
# pyvenv.cfg against the interpreter bin/python really runs (the host's Python changed)
profile production
cp "$APP/.venv/pyvenv.cfg" "$T/cfg.orig"
sed -i 's/^version = .*/version = 3.2.1/' "$APP/.venv/pyvenv.cfg"
dr
only_finding venv.python-version "$APP/.venv/pyvenv.cfg" "$(line_of "$APP/.venv/pyvenv.cfg" "version =")"
cp "$T/cfg.orig" "$APP/.venv/pyvenv.cfg"
# bin/python pointing at an interpreter that is gone
mv "$APP/.venv/bin/python" "$T/python.orig"
ln -s /nonexistent/bin/python3.99 "$APP/.venv/bin/python"
dr
assert_ids "$T/out" venv.python-version
message_has "/nonexistent/bin/python3.99"
rm "$APP/.venv/bin/python"
mv "$T/python.orig" "$APP/.venv/bin/python"

# venv.relocated: a real venv with pip, built elsewhere and moved here
ORIG=$T/built-elsewhere/.venv
/usr/bin/python3 -m venv "$ORIG" >/dev/null
mv "$APP/.venv" "$T/good.venv"
mv "$ORIG" "$APP/.venv"
printf '#!%s/.venv/bin/python\n' "$APP" >"$APP/.venv/bin/gunicorn"
chmod 755 "$APP/.venv/bin/gunicorn"
dr
ids=$(json_ids "$T/out" | sort -u)
check "relocated: only venv.relocated ($ids)" [ "$ids" = venv.relocated ]
has_finding venv.relocated "$APP/.venv/bin/pip" 1
check "relocated: one finding for the venv, not one per script" \
	[ "$(json_ids "$T/out" | wc -l)" = 1 ]
message_has "#!$ORIG/bin/python"
message_has "which no longer exists; so do bin/pip3, bin/pip3."
message_has "python3 -m venv --clear $APP/.venv,"
rm -rf "$APP/.venv"
mv "$T/good.venv" "$APP/.venv"
# pip's /bin/sh trampoline for long interpreter paths
printf "#!/bin/sh\n'''exec' \"/old/place/.venv/bin/python3\" \"\$0\" \"\$@\"\n' '''\n" \
	>"$APP/.venv/bin/tool"
chmod 755 "$APP/.venv/bin/tool"
dr
only_finding venv.relocated "$APP/.venv/bin/tool" 1
message_has "#!/old/place/.venv/bin/python3"
rm "$APP/.venv/bin/tool"

# venv.server-missing, even with another gunicorn on PATH
profile production
mv "$APP/.venv/bin/gunicorn" "$T/gunicorn.orig"
mkdir -p "$T/elsewhere"
printf '#!/bin/sh\nexit 0\n' >"$T/elsewhere/gunicorn"
chmod 755 "$T/elsewhere/gunicorn"
dr PATH="$T/elsewhere:/usr/bin:/bin"
only_finding venv.server-missing "$PROFILE" "$(line_of "$PROFILE" "server =")"
message_has "$T/elsewhere/gunicorn"
mv "$T/gunicorn.orig" "$APP/.venv/bin/gunicorn"

# venv.pythonpath from each source: an .env file, [vars], the process
printf 'APP=1\nPYTHONPATH=/opt/lib\n' >"$APP/.env"
dr
only_finding venv.pythonpath "$APP/.env" 2
: >"$APP/.env"
profile production "[vars]" "PYTHONINSPECT = 1"
dr
only_finding venv.pythonpath "$PROFILE" "$(line_of "$PROFILE" "PYTHONINSPECT =")"
profile production
dr PYTHONSTARTUP=/root/.pythonrc
assert_ids "$T/out" venv.pythonpath
message_has "PYTHONSTARTUP=/root/.pythonrc"
message_has "(process)"
check "PYTHONSTARTUP: a warning" [ "$(json_get "$T/out" "d['findings'][0]['severity']")" = warning ]
# deploy-run removes PYTHONHOME itself: nothing to report
dr PYTHONHOME=/usr
assert_ids "$T/out"

# venv.active-mismatch: another VIRTUAL_ENV, or another venv's python first on PATH
OTHER=$T/other-venv
/usr/bin/python3 -m venv --without-pip "$OTHER"
dr VIRTUAL_ENV="$OTHER"
assert_ids "$T/out" venv.active-mismatch
message_has "VIRTUAL_ENV=$OTHER"
dr PATH="$OTHER/bin:/usr/bin:/bin"
assert_ids "$T/out" venv.active-mismatch
message_has "python on the calling PATH is $OTHER/bin/python"
# this venv active: fine
dr VIRTUAL_ENV="$APP/.venv" PATH="$APP/.venv/bin:/usr/bin:/bin"
assert_ids "$T/out"

finish
