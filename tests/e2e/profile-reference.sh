#!/bin/bash
# docs/profiles.md is exactly what the key table generates.
set -eu
if "$GEN_REFERENCE" markdown | diff -u "$SOURCE_ROOT/docs/profiles.md" -; then
	echo "1 passed, 0 failed"
else
	echo "docs/profiles.md is stale: regenerate it with: build/docs/gen-reference markdown > docs/profiles.md" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
