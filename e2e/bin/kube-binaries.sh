#!/usr/bin/env bash
# Provides kube-apiserver, etcd and kubectl for Homeport's tests and local bring-up.
#
# The binaries are built from their Go modules at pinned versions and cached outside the repository,
# in the layout io.fabric8:kube-api-test reads in offline mode:
#   ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<k8s-version>-linux-amd64/{kube-apiserver,etcd,kubectl}
# A second run finds the cache and returns at once. Prints the binary directory on stdout.
#
# Usage: e2e/bin/kube-binaries.sh [--print-dir]
#   --print-dir   only print where the binaries are (or would be) and exit 0 if they are present.
set -euo pipefail

K8S_VERSION="${HOMEPORT_K8S_VERSION:-1.34.4}"
ETCD_VERSION="${HOMEPORT_ETCD_VERSION:-3.6.4}"

os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

root="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
bin_dir="$root/k8s/${K8S_VERSION}-${os}-${arch}"
src_cache="${XDG_CACHE_HOME:-$HOME/.cache}/homeport/go-build-src"

have_all() {
  [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/etcd" ] && [ -x "$bin_dir/kubectl" ]
}

if [ "${1:-}" = "--print-dir" ]; then
  echo "$bin_dir"
  have_all
  exit $?
fi

if have_all; then
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  echo "kube-binaries: no binaries in $bin_dir and no 'go' on PATH to build them." >&2
  echo "kube-binaries: install Go, or let io.fabric8:kube-api-test download them (online mode)." >&2
  exit 1
}

mkdir -p "$bin_dir" "$src_cache"
export GOFLAGS="-buildvcs=false -mod=mod"
export CGO_ENABLED=0

log() { echo "kube-binaries: $*" >&2; }

# kube-apiserver and kubectl come from k8s.io/kubernetes, whose go.mod points each k8s.io/* staging
# module at a folder of its own tree. Outside that tree every such module must be pinned to the
# matching published v0.x.y release instead.
build_kubernetes() {
  local mod_dir="$src_cache/kubernetes-$K8S_VERSION"
  local staging="v0.${K8S_VERSION#1.}"
  mkdir -p "$mod_dir"
  (
    cd "$mod_dir"
    if [ ! -f go.mod ]; then
      log "resolving k8s.io/kubernetes v$K8S_VERSION"
      local upstream_mod
      upstream_mod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
      {
        echo "module homeport.dev/kube-binaries"
        echo
        echo "go 1.24.0"
        echo
        echo "require k8s.io/kubernetes v$K8S_VERSION"
        echo
        echo "replace ("
        sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$upstream_mod"
        echo ")"
      } >go.mod.tmp
      mv go.mod.tmp go.mod
      cat >tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
      go mod tidy >&2
    fi
    for cmd in kube-apiserver kubectl; do
      if [ ! -x "$bin_dir/$cmd" ]; then
        log "building $cmd v$K8S_VERSION (several minutes on two cores)"
        go build -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION" \
          -o "$bin_dir/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
        mv "$bin_dir/$cmd.tmp" "$bin_dir/$cmd"
      fi
    done
  )
}

# etcd's server module carries replace lines of its own, so it is built from a wrapper module too.
build_etcd() {
  local mod_dir="$src_cache/etcd-$ETCD_VERSION"
  mkdir -p "$mod_dir"
  (
    cd "$mod_dir"
    if [ ! -f go.mod ]; then
      log "resolving go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
      cat >go.mod <<EOF
module homeport.dev/etcd-binary

go 1.24.0

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
EOF
      cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
      go mod tidy >&2
    fi
    log "building etcd v$ETCD_VERSION"
    go build -trimpath -ldflags "-s -w" -o "$bin_dir/etcd.tmp" go.etcd.io/etcd/server/v3
    mv "$bin_dir/etcd.tmp" "$bin_dir/etcd"
  )
}

[ -x "$bin_dir/etcd" ] || build_etcd
{ [ -x "$bin_dir/kube-apiserver" ] && [ -x "$bin_dir/kubectl" ]; } || build_kubernetes

have_all || {
  log "build finished but binaries are missing from $bin_dir"
  exit 1
}
echo "$bin_dir"
