#!/bin/bash
# `deploy-run run` reaping like PID 1: supervisor-pid1.sh (100 orphaned
# zombies reaped, none left in /proc, SIGTERM and SIGINT still stop the
# server, as a subreaper and as PID 1 of `unshare --pid --fork --mount-proc`)
# run with the built binary as the supervising command: a wrapper that
# executes `deploy-run run PROFILE -- --payload ARGV` in its own process.
. "$(dirname "$0")/run-lib.sh"

profile reap
cat >"$T/supervise" <<EOF2
#!/bin/bash
[ "\$1" = -- ] || { echo "usage: supervise -- ARGV" >&2; exit 2; }
shift
exec "$DEPLOY_RUN" --profiles "$PROFILES" run reap -- --payload "\$@"
EOF2
chmod 755 "$T/supervise"
SUPERVISE=$T/supervise bash "$(dirname "$0")/supervisor-pid1.sh" | sed 's/^ok - /ok - run: /'
