#!/bin/bash
# The Debian package: builds it with dpkg-buildpackage from a copy of the
# source tree (packaging/debian as debian/), installs it with dpkg -i, runs the
# installed /usr/bin/deploy-run, finds its man pages and completions, and
# removes it with dpkg -r.  Needs root (dpkg -i), debhelper and the
# Build-Depends; skipped (exit 77) without them.  Suite 'slow'.
set -euo pipefail
: "${SOURCE_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
DEPLOY_RUN=${DEPLOY_RUN:-unused}
. "$SOURCE_ROOT/tests/e2e/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "skip: dpkg -i needs root"; exit 77; fi
for tool in dpkg-buildpackage dh fakeroot scdoc; do
	command -v "$tool" >/dev/null || { echo "skip: $tool is not installed"; exit 77; }
done
if dpkg-query -W -f='${Status}' deploy-run 2>/dev/null | grep -q "ok installed"; then
	echo "skip: a deploy-run package is installed already; not touching it"
	exit 77
fi

# dpkg_wait ARGS...: dpkg, retried for up to 5 minutes while another dpkg or
# apt holds the dpkg lock (set-up scripts may be installing packages).
dpkg_wait() {
	local i
	for i in $(seq 1 150); do
		if dpkg "$@" >"$T/dpkg.log" 2>&1; then return 0; fi
		grep -q "lock" "$T/dpkg.log" || break
		sleep 2
	done
	cat "$T/dpkg.log" >&2
	return 1
}

# a copy of the tree as it is, without build directories, venvs and wheels
src=$T/deploy-run-0.1.0
mkdir -p "$src"
tar -C "$SOURCE_ROOT" --exclude=./.git --exclude='./build*' --exclude=./example/.venv \
	--exclude=./example/wheelhouse --exclude=__pycache__ --exclude=./debian -cf - . |
	tar -C "$src" -xf -
cp -a "$src/packaging/debian" "$src/debian"

if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	tail -n 60 "$T/build.log" >&2
	fail "dpkg-buildpackage failed"
	finish
fi
deb=$(ls "$T"/deploy-run_*.deb)
check "the .deb exists" test -f "$deb"
dpkg-deb -c "$deb" >"$T/contents"
for f in ./usr/bin/deploy-run ./usr/share/man/man1/deploy-run.1.gz \
	./usr/share/man/man5/deploy-run.ini.5.gz ./usr/share/bash-completion/completions/deploy-run \
	./usr/share/zsh/vendor-completions/_deploy-run \
	./usr/share/fish/vendor_completions.d/deploy-run.fish; do
	check "the package holds $f" grep -q " $f\$" "$T/contents"
done

at_exit 'dpkg_wait -r deploy-run'
if ! dpkg_wait -i "$deb"; then
	fail "dpkg -i failed"
	finish
fi
version=$(/usr/bin/deploy-run --version)
check "the installed binary runs: $version" [ "$version" = "deploy-run 0.1.0" ]
check "man -w deploy-run finds the installed page" \
	[ "$(man -w deploy-run)" = /usr/share/man/man1/deploy-run.1.gz ]
check "man -w 5 deploy-run.ini finds the installed page" \
	[ "$(man -w 5 deploy-run.ini)" = /usr/share/man/man5/deploy-run.ini.5.gz ]
out=$(MANWIDTH=80 man --warnings deploy-run 2>&1 >/dev/null)
check "the installed page renders without warnings" [ -z "$out" ]
# the installed completion, loaded as bash-completion would
mkdir -p "$T/app/profiles"
: >"$T/app/profiles/prod.ini"
got=$(cd "$T/app" && bash -c '. /usr/share/bash-completion/completions/deploy-run
COMP_WORDS=(deploy-run check p); COMP_CWORD=2; _deploy_run; echo "${COMPREPLY[*]}"')
check "the installed bash completion completes a profile name" [ "$got" = prod ]

# the systemd unit shipped as an example verifies against the installed binary
unit=/usr/share/doc/deploy-run/examples/deploy-run@.service
check "the package ships the systemd unit" test -f "$unit"
if command -v systemd-analyze >/dev/null; then
	cp "$unit" "$T/deploy-run@prod.service"
	out=$(systemd-analyze verify "$T/deploy-run@prod.service" 2>&1 | grep -v "Documentation\|man " || true)
	check "systemd-analyze verify accepts the unit: $out" [ -z "$out" ]
fi

dpkg_wait -r deploy-run || fail "dpkg -r failed"
check "dpkg -r removes the binary" [ ! -e /usr/bin/deploy-run ]
finish
