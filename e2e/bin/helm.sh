#!/usr/bin/env bash
# Provides helm, which the chart tests (helm/) run to lint and render helm/homeport, built from its
# Go module at a pinned version (e2e/bin/go-tool.sh). Prints the binary's path on stdout.
#
# Usage: e2e/bin/helm.sh [--print-path]
set -euo pipefail
version="${HOMEPORT_HELM_VERSION:-3.22.0}"
# Without the -X, `helm version` would print its module's default version instead of this one.
exec bash "$(dirname "$0")/go-tool.sh" helm "$version" "helm.sh/helm/v3/cmd/helm@v$version" \
  "-X helm.sh/helm/v3/internal/version.version=v$version" \
  "install Go, or put helm on PATH (or set HOMEPORT_HELM to its path)." "$@"
