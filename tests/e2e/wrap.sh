# Sourced by lib.sh and run-lib.sh once $T exists: runs every deploy-run of
# a test through $DEPLOY_RUN_WRAPPER when it is set (valgrind memcheck under
# `meson test --setup valgrind`).
# DEPLOY_RUN_WRAPPER: a command every run of deploy-run goes through, split
# into words (`meson test --setup valgrind` sets it to valgrind memcheck).
# $DEPLOY_RUN becomes a script that execs it, so that scripts calling
# "$DEPLOY_RUN" directly are covered too; the real binary stays in
# $DEPLOY_RUN_BIN.  valgrind writes to $T/valgrind/PID.log, never into the
# output the tests compare, and finish() fails on any non-empty log.
DEPLOY_RUN_BIN=$DEPLOY_RUN
if [ -n "${DEPLOY_RUN_WRAPPER:-}" ]; then
	read -r -a _wrapper <<<"$DEPLOY_RUN_WRAPPER"
	if [ "${_wrapper[0]##*/}" = valgrind ]; then
		# 1777: runs as another user (setpriv) log there too
		mkdir -p -m 1777 "$T/valgrind"
		_wrapper+=("--log-file=$T/valgrind/%p.log")
	fi
	mkdir -p "$T/.wrapped"
	{
		echo '#!/bin/sh'
		printf 'exec'
		printf ' %q' "${_wrapper[@]}" "$DEPLOY_RUN_BIN"
		printf ' "$@"\n'
	} >"$T/.wrapped/deploy-run"
	chmod 755 "$T/.wrapped/deploy-run"
	DEPLOY_RUN=$T/.wrapped/deploy-run
fi
# valgrind_clean: no error or leak in any valgrind log (true without valgrind).
# Memcheck's reports are the "==PID==" lines; "--PID--" lines are valgrind's
# own notes (such as "unhandled syscall: 434": it lacks pidfd_open, and the
# supervisor falls back to waiting without one).
valgrind_clean() {
	local f bad=0
	[ -d "$T/valgrind" ] || return 0
	for f in "$T/valgrind"/*.log; do
		grep -Eq '^==[0-9]+==' "$f" 2>/dev/null || continue
		echo "valgrind: $f" >&2
		cat "$f" >&2
		bad=1
	done
	return $bad
}

