#!/bin/bash
# The supervisor-*.sh scripts whose driver options a profile can express, run
# with the built binary as the supervising command ($T/supervise of
# run-lib.sh executes `deploy-run run PROFILE` in its own process):
#   pid1   100 orphaned zombies reaped, none left, SIGTERM and SIGINT still
#          stop the server, as a subreaper and as PID 1 of
#          `unshare --pid --fork --mount-proc`
#   files  [cleanup] prometheus_dir wiped before and after, pid_file and unix
#          socket binds removed, nothing else
#   shm    a real Python app's leaked segments and semaphores removed and
#          named with their sizes, decoys kept, a Manager orphaned by
#          os._exit stopped, [cleanup] shm = report
#   user   [app] user: root drops to nobody, skipped when already nobody,
#          unknown user 125, the dropped server's leaks removed
#   listen LISTEN_FDS/LISTEN_PID from a harness and systemd-socket-activate
. "$(dirname "$0")/run-lib.sh"
make_supervise
# Each script runs to its end whatever the others did: its status is kept
# apart from sed's (a script that skips, exit 77, must not end the loop nor
# hide the failure of another), then the statuses decide: any failure fails,
# a skip is named, and only when every script skipped is this test a skip.
failed=() skipped=() passed=0
for s in ${RUN_SCRIPTS:-pid1 files shm user listen}; do
	{
		status=0
		SUPERVISE=$T/supervise bash "$(dirname "$0")/supervisor-$s.sh" || status=$?
		echo "$status" >"$T/status.$s"
	} | sed "s/^ok - /ok - run $s: /; s/^SKIP: /SKIP - run $s: /"
	case $(cat "$T/status.$s") in
	0) passed=$((passed + 1)) ;;
	77) skipped+=("$s") ;;
	*) failed+=("$s") ;;
	esac
done
[ ${#skipped[@]} = 0 ] || echo "skipped: ${skipped[*]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAIL: ${failed[*]}" >&2
	exit 1
fi
[ "$passed" -gt 0 ] || exit 77
