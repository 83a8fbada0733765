# Helpers of the hostile-input scripts (tests/hostile/*.sh): source after
# tests/e2e/lib.sh.  Each script takes one kind of input file, replaces it
# with every malformed case below in turn and runs the real binary on it:
#   make_case CASE TARGET GOOD   puts case CASE at path TARGET (GOOD: a good file)
#   hostile CASE EXPECT WHAT CMD...  runs CMD (a deploy-run command line) under
#                                a 30 s timeout (60 s under ASan, 300 s under DEPLOY_RUN_WRAPPER)
#                                (as nobody for the unreadable case)
#                                and checks: exit EXPECT, no crash, no hang, the
#                                server never started, WHAT (an ERE) in the output,
#                                and no escape sequence (ESC, BEL, CSI) in it.
# Big cases (10 MB lines, 100 MB files) are made at test time under $T.

# Every case; the scripts run all of them and may add their own.
CASES="empty truncated binary nul-in-line nul-only latin1 utf16 bom-junk ansi long-line-10m
big-100m sparse-100m many-lines unterminated symlink-loop symlink-dangling unreadable
directory fifo dev-zero dev-urandom dev-null socket"

chmod 755 "$T"
MARK_DIR=$T/marks
mkdir -p -m 1777 "$MARK_DIR"
MARK=$MARK_DIR/server-started

# fake_server BIN: an executable that only records that it ran.
fake_server() {
	printf '#!/bin/sh\ntouch %q\n' "$MARK" >"$1"
	chmod 755 "$1"
}

# hostile_app [LINES...]: an app ($APP) whose venv has a fake server, and its
# production profile $P/prod.ini: the families venv, req, path and server
# off but those named in $ON; LINES come last (in [checks] unless they open
# a section).
APP=$T/app
P=$T/profiles
hostile_app() {
	mkdir -p "$APP/.venv/bin" "$P"
	fake_server "$APP/.venv/bin/gunicorn"
	{
		printf '[profile]\nstage = production\n'
		printf '[app]\nroot = %s\nmodule = app:app\nrequirements = %s\n' "$APP" \
			"${REQUIREMENTS:-}"
		printf '[server]\nbind = 0.0.0.0:8000\n'
		printf '[checks]\n'
		for fam in venv req path server; do
			[[ " ${ON:-} " == *" $fam "* ]] || printf '%s = off\n' "$fam"
		done
		printf '%s\n' "$@"
	} >"$P/prod.ini"
}

# make_case CASE TARGET GOOD (TRUNCATE_AFTER: where the truncated case ends)
make_case() {
	local c=$1 target=$2 good=$3 dir
	dir=$(dirname "$target")
	rm -rf "$target"
	case $c in
	empty) : >"$target" ;;
	truncated) # cut after $TRUNCATE_AFTER when set (mid-token), else at half
		if [ -n "${TRUNCATE_AFTER:-}" ]; then
			$PY -c 'import sys; d=open(sys.argv[1], "rb").read(); t=sys.argv[2].encode()
sys.stdout.buffer.write(d[:d.index(t) + len(t)])' "$good" "$TRUNCATE_AFTER" >"$target"
		else
			head -c $(($(wc -c <"$good") / 2)) "$good" >"$target"
		fi ;;
	binary) $PY -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(8192)))' >"$target" ;;
	nul-in-line) { head -n 3 "$good"; printf 'A\0B=1\0\n'; tail -n +4 "$good"; } >"$target" ;;
	nul-only) head -c 4096 /dev/zero >"$target" ;;
	latin1) { cat "$good"; printf 'CAF\xc9=na\xefve\n\xff\xfe\xfd\n'; } >"$target" ;;
	utf16) $PY -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], "rb").read().decode("utf-8", "replace").encode("utf-16"))' "$good" >"$target" ;;
	bom-junk) { printf '\xef\xbb\xbf\xef\xbb\xbf\x80\x80'; cat "$good"; } >"$target" ;;
	ansi) { cat "$good"; printf '\033[31m BAD\033]0;pwned\007 KEY=\033[2J1\r\n\r\r\n'; } >"$target" ;;
	long-line-10m) { cat "$good"; printf '='; head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' x
		echo; } >"$target" ;;
	big-100m) $PY -c 'import sys; d=open(sys.argv[1], "rb").read() or b"x\n"; n=100*1024*1024
sys.stdout.buffer.write((d * (n // len(d) + 1))[:n])' "$good" >"$target" ;;
	sparse-100m) cp "$good" "$target" && truncate -s 100M "$target" ;;
	many-lines) { cat "$good"; yes = | head -n 2000000; } >"$target" ;;
	unterminated) { cat "$good"; printf 'X="never closed\n[unclosed\n'; } >"$target" ;;
	symlink-loop) ln -s "$target.loop" "$target" && ln -sfn "$target" "$target.loop" ;;
	symlink-dangling) ln -s "$dir/does-not-exist" "$target" ;;
	unreadable) cp "$good" "$target" && chmod 000 "$target" ;;
	directory) mkdir "$target" && cp "$good" "$target/" ;;
	fifo) mkfifo "$target" ;;
	dev-zero) ln -s /dev/zero "$target" ;;
	dev-urandom) ln -s /dev/urandom "$target" ;;
	dev-null) ln -s /dev/null "$target" ;;
	socket) $PY -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$target" ;;
	*) echo "unknown case $c" >&2; return 1 ;;
	esac
}

# hostile CASE EXPECT WHAT CMD... (EXPECT: a status, or several: "1|2")
hostile() {
	local c=$1 expect=$2 what=$3 who=() limit=30
	shift 3
	# a hang, not a slow run: the largest cases (a million RECORD rows) take a
	# few seconds alone and more than 10 on a loaded two-core machine; valgrind
	# runs it 20 to 50 times slower, a debug build under ASan and UBSan
	# (dev/test) 3 to 6 times
	[ -z "${ASAN_OPTIONS:-}" ] || limit=60
	[ -z "${DEPLOY_RUN_WRAPPER:-}" ] || limit=300
	rm -f "$MARK"
	[[ $c == *unreadable ]] && who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	set +e
	timeout -k 2 "$limit" "${who[@]}" "$DEPLOY_RUN" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	set -e
	cat "$T/out" "$T/err" >"$T/all"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		fail "$c: $* hung (killed after $limit s)"
	elif [ "$rc" -ge 128 ]; then
		fail "$c: $* crashed (exit $rc)"
		head -c 2000 "$T/all" >&2
	elif ! [[ $rc =~ ^($expect)$ ]]; then
		fail "$c: $* exited $rc, expected $expect"
		head -c 2000 "$T/all" >&2
	else
		pass
	fi
	check "$c: $*: the server never started" test ! -e "$MARK"
	if grep -Eq -- "$what" "$T/all"; then pass; else
		fail "$c: $*: no message matching '$what'"
		head -c 2000 "$T/all" >&2
	fi
	check "$c: $*: output stays small" test "$(wc -c <"$T/all")" -lt 65536
	# quoted input never drives the terminal: no ESC, BEL or CSI (C1) byte
	check "$c: $*: no escape sequence in the output" \
		bash -c '! LC_ALL=C grep -q $'"'"'[\033\007]\|\302\233'"'"' "$1"' _ "$T/all"
}

# fake_venv: gives $APP/.venv a pyvenv.cfg, bin/python (Debian's), and one
# installed distribution foo 1.0 (METADATA, RECORD with true hashes, its
# module), and $APP/requirements.txt, a hashed lock of it.
SITE=$APP/.venv/lib/python3.11/site-packages
DIST=$SITE/foo-1.0.dist-info
fake_venv() {
	local h
	mkdir -p "$DIST" "$SITE/foo"
	printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n' \
		>"$APP/.venv/pyvenv.cfg"
	ln -sf /usr/bin/python3 "$APP/.venv/bin/python"
	printf 'VALUE = 1\n' >"$SITE/foo/__init__.py"
	printf 'Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nSummary: a test\n' >"$DIST/METADATA"
	printf 'pip\n' >"$DIST/INSTALLER"
	{
		for f in foo/__init__.py foo-1.0.dist-info/METADATA foo-1.0.dist-info/INSTALLER; do
			h=$($PY -c 'import base64,hashlib,sys; print(base64.urlsafe_b64encode(hashlib.sha256(open(sys.argv[1],"rb").read()).digest()).rstrip(b"=").decode())' "$SITE/$f")
			printf '%s,sha256=%s,%s\n' "$f" "$h" "$(wc -c <"$SITE/$f")"
		done
		printf 'foo-1.0.dist-info/RECORD,,\n'
	} >"$DIST/RECORD"
	printf '# locked\nfoo==1.0 \\\n    --hash=sha256:%s\n' "$(printf x | sha256sum | cut -d' ' -f1)" \
		>"$APP/requirements.txt"
}

# [OK_CASES=...] hostile_file TARGET GOOD WHAT [TRUNCATE_AFTER]: every case in
# place of TARGET (restored from GOOD after each); check exits 1 with a
# finding whose text matches WHAT, in text and JSON; run exits 125; nothing
# starts.  The cases of OK_CASES are harmless for that file: check passes,
# and run is not tried.
hostile_file() {
	local target=$1 good=$2 what=$3 trunc=${4:-} c
	cp "$good" "$target"
	run_dr --profiles "$P" check prod
	check "$(basename "$target"): the good file passes (exit $rc)" [ "$rc" = 0 ]
	for c in $CASES; do
		TRUNCATE_AFTER=$trunc make_case "$c" "$target" "$good"
		if [[ " ${OK_CASES:-} " == *" $c "* ]]; then
			run_dr --profiles "$P" check prod
			check "$c: $(basename "$target"): harmless, check passes (exit $rc)" [ "$rc" = 0 ]
			rm -rf "$target"
			cp "$good" "$target"
			continue
		fi
		hostile "$c" 1 "$what" --profiles "$P" check prod
		hostile "$c" 1 "$what" --profiles "$P" check prod --format json
		hostile "$c" 125 "$what" --profiles "$P" run prod
		rm -rf "$target" "$target.loop"
		cp "$good" "$target"
	done
}
