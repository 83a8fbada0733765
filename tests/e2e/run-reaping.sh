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
for s in ${RUN_SCRIPTS:-pid1 files shm user listen}; do
	SUPERVISE=$T/supervise bash "$(dirname "$0")/supervisor-$s.sh" | sed "s/^ok - /ok - run $s: /"
done
