#!/bin/bash
# The server starts with an empty signal mask and no ignored signal, even when
# the supervisor itself was started with every signal blocked or ignored, and
# forwarding still works in that case.
. "$(dirname "$0")/supervisor-lib.sh"

"$SUPERVISE" -q -- "$PAYLOAD" --report-signals --exit 0
[ "$(count "$clean_signals")" = 1 ] || fail "a plain start is not clean"

: >"$LOG"
"$SUPERVISE" -q --block-signals -- "$PAYLOAD" --report-signals --exit 0
[ "$(count "$clean_signals")" = 1 ] || fail "signals blocked by the parent leaked into the server"
ok "every signal blocked in the supervisor: the server's mask is empty"

: >"$LOG"
"$SUPERVISE" -q --ignore-signals -- "$PAYLOAD" --report-signals --exit 0
[ "$(count "$clean_signals")" = 1 ] || fail "signals ignored by the parent leaked into the server"
ok "every signal ignored in the supervisor: the server has default dispositions"

# ignored for real by the shell that starts it, inherited through execve()
: >"$LOG"
(
	trap '' TERM INT HUP USR1 QUIT
	exec "$SUPERVISE" -q --ignore-signals -- "$PAYLOAD" --report-signals --wait
) &
SV=$!
BG+=("$SV")
forwards_with_clean_signals "signals ignored by the parent shell"
ok "signals ignored by the parent shell are still forwarded and the server's are default"
