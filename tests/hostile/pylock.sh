#!/bin/bash
# Hostile pylock.toml locks: every malformed case of tests/hostile/lib.sh in
# place of the lock, then what only a TOML file can do: values nested
# 100000 deep, a million-element array, a 10 MB string, a table of half a million
# keys, 100000 [[packages]].  Each is refused with req.parse naming the
# file (or, when it is a valid lock, checked) within the time bound, the
# output small and clean, nothing started.  The bounds are toml.h's: nesting
# at most 128 deep, memory linear in the file, hashed key lookups.
. "$SOURCE_ROOT/tests/e2e/lib.sh"
. "$SOURCE_ROOT/tests/hostile/lib.sh"
set -e
umask 022

ON="req venv" REQUIREMENTS=pylock.toml hostile_app
fake_venv
L=$APP/pylock.toml
HASH=$(printf x | sha256sum | cut -d' ' -f1)
good_lock() {
	printf "lock-version = '1.0'\ncreated-by = 'test'\n\n[[packages]]\nname = 'foo'\n"
	printf "version = '1.0'\n"
	printf "wheels = [{name = 'foo-1.0-py3-none-any.whl', url = 'https://example.invalid/foo-1.0-py3-none-any.whl', hashes = {sha256 = '%s'}}]\n" "$HASH"
}
good_lock >"$T/good.pylock.toml"
chmod -R a+rX "$APP"

hostile_file "$L" "$T/good.pylock.toml" 'pylock\.toml' "name = 'fo"

# lock_with PYTHON-EXPR: the good lock, then what the expression prints (bytes).
lock_with() {
	{ cat "$T/good.pylock.toml"; $PY -c "import sys; sys.stdout.buffer.write($1)"; } >"$L"
}
# lock_case PYTHON-EXPR WHAT EXPECT PATTERN: check prod with that lock (lock_with)
# exits EXPECT, PATTERN in its output (the rest of hostile's conditions).
lock_case() {
	lock_with "$1"
	hostile "$2" "$3" "$4" --profiles "$P" check prod
}
lock_case 'b"[tool.x]\na = " + b"[" * 100000 + b"]" * 100000 + b"\n"' \
	"arrays nested 100000 deep" 1 'pylock\.toml:9'
message_has 'values nested more than 128 deep'
hostile "arrays nested 100000 deep" 125 'pylock\.toml' --profiles "$P" run prod
lock_case 'b"[tool.x]\na = " + b"{b = " * 100000 + b"\n"' \
	"inline tables nested 100000 deep" 1 'nested more than 128 deep'
lock_case 'b"[tool.x]\n" + b".".join([b"k"] * 100000) + b" = 1\n"' \
	"a dotted key of 100000 parts" 1 'nested more than 128 deep'
lock_case 'b"[" + b".".join([b"k"] * 100000) + b"]\n"' \
	"a table header of 100000 parts" 1 'nested more than 128 deep'
# valid TOML, a valid lock: checked, in time
lock_case 'b"[tool.x]\na = [" + b"1," * 1000000 + b"]\n"' \
	"an array of a million integers" 0 'no errors, no warnings'
lock_case 'b"[tool.x]\ns = \"" + b"x" * (10 * 1024 * 1024) + b"\"\n"' \
	"a 10 MB string" 0 'no errors, no warnings'
lock_case 'b"[tool.x]\n" + b"".join(b"k%d = %d\n" % (i, i) for i in range(500000))' \
	"a table of half a million keys" 0 'no errors, no warnings'
lock_case 'b"[tool.x]\n" + b"".join(b"k%d = %d\n" % (i, i) for i in range(500000)) + b"k7 = 0\n"' \
	"half a million keys and one twice" 1 'pylock\.toml:500009'
message_has 'k7 is defined twice (first on line 16)'
# (for another platform: each is parsed and its marker evaluated, none applies)
lock_case 'b"".join(b"[[packages]]\nname = \"p%d\"\nversion = \"1\"\nmarker = \"sys_platform == \x27win32\x27\"\nvcs = {type = \"git\", url = \"u\", commit-id = \"c\"}\n" % i for i in range(100000))' \
	"100000 packages" 0 'no errors, no warnings'
# a string of 10 MB that never ends
lock_case 'b"[tool.x]\ns = \"" + b"x" * (10 * 1024 * 1024) + b"\n"' \
	"an unterminated 10 MB string" 1 'pylock\.toml:9'
message_has 'a newline in a string'
cp "$T/good.pylock.toml" "$L"
finish
