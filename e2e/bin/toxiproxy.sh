#!/usr/bin/env bash
# Provides toxiproxy-server, the fault injector Homeport's tests put between regions to cut links
# (partitions) and slow them down (latency), built from its Go module at a pinned version
# (e2e/bin/go-tool.sh). Prints the binary's path on stdout.
#
# Usage: e2e/bin/toxiproxy.sh [--print-path]
set -euo pipefail
version="${HOMEPORT_TOXIPROXY_VERSION:-2.5.0}"
# Without the -X its /version endpoint would answer "git".
exec bash "$(dirname "$0")/go-tool.sh" toxiproxy-server "$version" \
  "github.com/Shopify/toxiproxy/v2/cmd/server@v$version" \
  "-X github.com/Shopify/toxiproxy/v2.Version=$version" \
  "install Go, or put toxiproxy-server on PATH (or set HOMEPORT_TOXIPROXY_SERVER to its path)." \
  "$@"
