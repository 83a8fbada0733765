#!/bin/bash
# Privilege drop: root switches to nobody (groups, gid, uid), the drop is
# skipped when already that user, an unknown user is a clear error with 125,
# and segments the dropped server leaks are still found (owned by nobody).
. "$(dirname "$0")/supervisor-lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root"
uid=$(id -u nobody) gid=$(id -g nobody)

"$SUPERVISE" -q -u nobody -- "$PAYLOAD" --report-ids --exit 0
[ "$(count " ids uid=$uid gid=$gid groups=$gid\$")" = 1 ] || fail "not dropped: $(cat "$LOG")"
ok "root drops to nobody: uid $uid, gid $gid, groups $gid only"

: >"$LOG"
"$SUPERVISE" -q -u nobody:root -- "$PAYLOAD" --report-ids --exit 0
[ "$(count " ids uid=$uid gid=0 groups=0\$")" = 1 ] || fail "USER:GROUP: $(cat "$LOG")"
ok "USER:GROUP sets that group"

: >"$LOG"
"$SUPERVISE" -q -u root -- "$PAYLOAD" --report-ids --exit 0
[ "$(count ' ids uid=0 gid=0 ')" = 1 ] || fail "root to root: $(cat "$LOG")"
: >"$LOG"
setpriv --reuid="$uid" --regid="$gid" --clear-groups "$SUPERVISE" -q -u nobody -- "$PAYLOAD" \
	--report-ids --exit 0
[ "$(count " ids uid=$uid gid=$gid ")" = 1 ] || fail "nobody to nobody: $(cat "$LOG")"
ok "already the target user: no switch needed"

rc=0; setpriv --reuid="$uid" --regid="$gid" --clear-groups "$SUPERVISE" -q -u root -- "$PAYLOAD" \
	--exit 0 2>"$T/err" || rc=$?
[ "$rc" = 125 ] || fail "non-root switching to root gave $rc"
grep -q "cannot switch to user 'root': running as uid $uid, not root" "$T/err" || fail "$(cat "$T/err")"
ok "switching without being root: 125 with a message"

: >"$LOG"
rc=0; "$SUPERVISE" -q -u no-such-user-x -- "$PAYLOAD" --exit 0 2>"$T/err" || rc=$?
[ "$rc" = 125 ] || fail "unknown user gave $rc"
grep -q "unknown user 'no-such-user-x'" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -s "$LOG" ] || fail "the server ran for an unknown user"
ok "unknown user: 125, '$(cat "$T/err")'"

name=drtest-user-$$
rc=0; "$SUPERVISE" -u nobody -- "$PAYLOAD" --shm "/$name:4096" --exit 0 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "leaking server as nobody gave $rc"
[ ! -e "/dev/shm/$name" ] || { rm -f "/dev/shm/$name"; fail "the segment of nobody was not removed"; }
grep -q "shm /dev/shm/$name (4.0 KiB)" "$T/err" || fail "summary: $(cat "$T/err")"
ok "a segment leaked by the dropped server (owned by nobody) is removed"
