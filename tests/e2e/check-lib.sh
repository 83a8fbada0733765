# Helpers of the check-*.sh scripts: source after lib.sh.

# SAN_ENV: the sanitizer build's settings, to pass through an `env -i` so that
# they survive the clean caller environment of a case (empty in other builds).
SAN_ENV=()
for _v in ASAN_OPTIONS UBSAN_OPTIONS; do [ -n "${!_v:-}" ] && SAN_ENV+=("$_v=${!_v}"); done
unset _v

# profile_head STAGE ROOT MODULE [APP-LINES...]: prints the lines a test
# profile starts with: [profile] with the stage, then [app] with root, module,
# the given lines and an empty requirements (no lock).
profile_head() {
	local stage=$1 root=$2 module=$3
	shift 3
	echo "[profile]"
	echo "stage = $stage"
	echo "[app]"
	echo "root = $root"
	echo "module = $module"
	[ $# -eq 0 ] || printf '%s\n' "$@"
	echo "requirements ="
}
