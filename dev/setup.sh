#!/bin/bash
# Set-up shared by dev/demo and dev/test on a fresh Debian 12 machine:
# installs the build and test dependencies from Debian's packages (only the
# missing ones; `apt-get update` once, when something is missing), builds
# deploy-run with meson and ninja, and makes the example app's virtualenv
# offline from Debian's Python packages.
#
#   dev/setup.sh [BUILDDIR [MESON-OPTIONS...]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=${1:-build}
shift || true

packages=(
	# build (build-essential: dpkg-buildpackage of the slow suite requires it)
	build-essential gcc pkg-config meson ninja-build libinih-dev libcurl4-openssl-dev libarchive-dev libssl-dev
	# the example app and the tests' real servers and peers
	python3 python3-venv python3-pip python3-setuptools python3-wheel gunicorn python3-uvicorn
	python3-flask python3-starlette python3-dotenv python3-packaging python3-tomli
	curl procps util-linux iproute2 tini systemd
	# benchmarks, fuzzing, documentation, packaging
	hyperfine clang libclang-rt-14-dev valgrind scdoc man-db
	dpkg-dev debhelper fakeroot bash-completion zsh fish python3-yaml
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "$@"
fi
ninja -C "$builddir"
bash dev/venv-tools/make-venv.sh example
