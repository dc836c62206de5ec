#!/usr/bin/env bash
# Provides toxiproxy-server, the fault injector Homeport's tests put between regions to cut links
# (partitions) and slow them down (latency).
#
# The server is built from its Go module at a pinned version and cached outside the repository:
#   ${XDG_CACHE_HOME:-~/.cache}/homeport/bin/toxiproxy-server-<version>
# A second run finds the cache and returns at once. Prints the binary's path on stdout.
#
# Usage: e2e/bin/toxiproxy.sh [--print-path]
#   --print-path   only print where the binary is (or would be) and exit 0 if it is present.
set -euo pipefail

TOXIPROXY_VERSION="${HOMEPORT_TOXIPROXY_VERSION:-2.5.0}"

bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/homeport/bin"
binary="$bin_dir/toxiproxy-server-$TOXIPROXY_VERSION"

if [ "${1:-}" = "--print-path" ]; then
  echo "$binary"
  [ -x "$binary" ]
  exit $?
fi

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

log() { echo "toxiproxy: $*" >&2; }

command -v go >/dev/null 2>&1 || {
  log "no binary at $binary and no 'go' on PATH to build it."
  log "install Go, or put toxiproxy-server on PATH (or set HOMEPORT_TOXIPROXY_SERVER to its path)."
  exit 1
}

mkdir -p "$bin_dir"
# go install names the binary after its package folder ("server"), so it is built into a scratch
# folder and moved into the cache under a versioned name; the move makes a half-built binary
# invisible to a concurrent run.
gobin=$(mktemp -d)
trap 'rm -rf "$gobin"' EXIT

# Without the -X its /version endpoint would answer "git".
log "building toxiproxy-server v$TOXIPROXY_VERSION"
GOBIN="$gobin" CGO_ENABLED=0 GOFLAGS="-buildvcs=false" \
  go install -trimpath -ldflags "-s -w -X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION" \
  "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION" >&2

[ -x "$gobin/server" ] || {
  log "go install finished but $gobin/server is missing"
  exit 1
}
mv "$gobin/server" "$binary.tmp.$$"
mv "$binary.tmp.$$" "$binary"
echo "$binary"
