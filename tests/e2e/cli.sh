#!/bin/bash
# The command line: help, version, unknown options and subcommands.
. "$(dirname "$0")/lib.sh"
set -e
cd "$SOURCE_ROOT"

run_dr --help
check "--help exits 0" [ "$rc" = 0 ]
check "--help lists the subcommands" grep -q "deploy-run check PROFILE" "$T/out"
run_dr --version
check "--version" grep -qE '^deploy-run [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"
for sub in run check show profiles help; do
	run_dr help "$sub"
	check "help $sub exits 0" [ "$rc" = 0 ]
	check "help $sub shows its usage" grep -q "^Usage: deploy-run $sub" "$T/out"
done
run_dr check --help
check "check --help" grep -q "^Usage: deploy-run check" "$T/out"
# every subcommand takes --help and -h, where its usage is
for sub in run check show probe smoke profiles init bundle verify-bundle unbundle help; do
	for h in --help -h; do
		run_dr "$sub" "$h"
		check "$sub $h exits 0 with its usage ($(cat "$T/err"))" grep -q "^Usage: deploy-run $sub" "$T/out"
	done
done

# unknown option: one line, a pointer to --help, exit 2
run_dr --frobnicate
check "unknown global option exits 2" [ "$rc" = 2 ]
check "unknown global option: one line" [ "$(wc -l <"$T/err")" = 1 ]
check "unknown global option: names it and points to help" \
	grep -q "unknown option '--frobnicate' (see 'deploy-run --help')" "$T/err"
run_dr check prod --frobnicate
check "unknown check option exits 2" [ "$rc" = 2 ]
check "unknown check option: points to help check" grep -q "see 'deploy-run help check'" "$T/err"
# the commands of one PROFILE word their operand errors alike (cmd_profile_operand)
for c in show status smoke reload probe; do
	run_dr "$c" one two
	check "$c with two profiles exits 2 (got $rc)" [ "$rc" = 2 ]
	check "$c with two profiles: names the second" \
		grep -q "^deploy-run: error: $c takes one PROFILE, got 'two' too (see 'deploy-run help $c')\$" "$T/err"
	run_dr "$c" -x
	check "$c -x exits 2 (got $rc)" [ "$rc" = 2 ]
	check "$c -x: an unknown option of $c" grep -q "unknown option '-x' for $c" "$T/err"
done
run_dr show prod --format yaml
check "unknown show format exits 2" [ "$rc" = 2 ]
check "unknown show format: worded as check's and smoke's" grep -q -- "--format takes text or json, not 'yaml'" "$T/err"
run_dr chekc prod
check "misspelt subcommand exits 2" [ "$rc" = 2 ]
check "misspelt subcommand: did you mean" grep -q "did you mean 'check'" "$T/err"
run_dr nosuchthing
check "neither subcommand nor profile exits 2" [ "$rc" = 2 ]
check "neither subcommand nor profile: one line" [ "$(wc -l <"$T/err")" = 1 ]
# a profile name one edit from a subcommand: both readings are given
mkdir -p "$T/empty"
run_dr -C "$T/empty" prod
check "prod without profiles exits 2" [ "$rc" = 2 ]
check "prod without profiles: says the profile was not found" grep -q "profile 'prod' not found" "$T/err"
check "prod without profiles: and the close subcommand" grep -q "did you mean 'probe'" "$T/err"
run_dr -C "$T/empty" profiles
check "profiles without a profiles directory exits 2" [ "$rc" = 2 ]
check "profiles without a profiles directory: says what to do" grep -q "'deploy-run init' writes them" "$T/err"
run_dr help nosuch
check "help of an unknown subcommand exits 2" [ "$rc" = 2 ]
run_dr
check "no arguments: usage, exit 2" [ "$rc" = 2 ]
run_dr run
check "run without a profile exits 125" [ "$rc" = 125 ]

# profiles: the example's, with stage and description
run_dr profiles
check "profiles exits 0" [ "$rc" = 0 ]
check "profiles lists prod with its stage" grep -qE '^prod +production +production: gunicorn' "$T/out"
check "profiles lists dev" grep -qE '^dev +development' "$T/out"
run_dr --profiles "$T/none" profiles
check "profiles of a missing directory exits 2" [ "$rc" = 2 ]
# -C DIR
run_dr -C "$SOURCE_ROOT" show dev --format json
check "-C DIR finds DIR/profiles" [ "$rc" = 0 ]
# heavy libraries are loaded on demand, never at start-up
libs=$(ldd "$DEPLOY_RUN_BIN")   # the binary, not a DEPLOY_RUN_WRAPPER script
check "libcurl is not linked" bash -c "! grep -q libcurl <<<'$libs'"
check "libarchive is not linked" bash -c "! grep -q libarchive <<<'$libs'"
check "libcrypto is not linked" bash -c "! grep -q libcrypto <<<'$libs'"
finish
