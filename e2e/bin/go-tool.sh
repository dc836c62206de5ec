#!/usr/bin/env bash
# Builds a test tool from its Go module at a pinned version, cached outside the repository:
#   ${XDG_CACHE_HOME:-~/.cache}/homeport/bin/<name>-<version>
# A second run finds the cache and returns at once. Prints the binary's path on stdout.
#
# Usage: e2e/bin/go-tool.sh <name> <version> <package@version> <ldflags> <hint> [--print-path]
#   <ldflags>      extra -ldflags (e.g. the -X that stamps the version into the binary)
#   <hint>         what to do instead when there is no Go, for the error message
#   --print-path   only print where the binary is (or would be) and exit 0 if it is present.
set -euo pipefail

name=$1 version=$2 package=$3 ldflags=$4 hint=$5

bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/homeport/bin"
binary="$bin_dir/$name-$version"

if [ "${6:-}" = "--print-path" ]; then
  echo "$binary"
  [ -x "$binary" ]
  exit $?
fi

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

log() { echo "$name: $*" >&2; }

command -v go >/dev/null 2>&1 || {
  log "no binary at $binary and no 'go' on PATH to build it."
  log "$hint"
  exit 1
}

mkdir -p "$bin_dir"
# go install names the binary after its package folder, so it is built into a scratch folder and
# moved into the cache under a versioned name; the move makes a half-built binary invisible to a
# concurrent run.
gobin=$(mktemp -d)
trap 'rm -rf "$gobin"' EXIT

log "building $name v$version"
GOBIN="$gobin" CGO_ENABLED=0 GOFLAGS="-buildvcs=false" \
  go install -trimpath -ldflags "-s -w $ldflags" "$package" >&2

built=$(find "$gobin" -maxdepth 1 -type f -perm -u+x | head -n 1)
[ -n "$built" ] || {
  log "go install finished but left no binary in $gobin"
  exit 1
}
mv "$built" "$binary.tmp.$$"
mv "$binary.tmp.$$" "$binary"
echo "$binary"
