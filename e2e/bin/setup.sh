#!/usr/bin/env bash
# Installs what Homeport's tests and local system need and a fresh machine may lack:
#   - redis-server, from the Debian package (the tests start throwaway instances of it), and curl,
#     which the runbooks' commands use (the end-to-end tests run them);
#   - kube-apiserver, etcd and kubectl at pinned versions, built from their Go modules and cached
#     outside the repository (e2e/bin/kube-binaries.sh);
#   - toxiproxy-server at a pinned version, the fault injector the tests put on cross-region links,
#     built from its Go module and cached outside the repository (e2e/bin/toxiproxy.sh);
#   - helm at a pinned version, which the chart tests run, built from its Go module and cached
#     outside the repository (e2e/bin/helm.sh).
# Safe to run again: what is already there is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "setup: '$1' is required: $2" >&2
    exit 1
  }
}
need java "install a Java 17 JDK"
need mvn "install Apache Maven 3.8 or newer"

# Debian packages: redis-server for every region (redis-cli comes with it), faketime for the
# clock-skew scenario, curl for the runbooks.
missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    echo "setup: installing ${missing[*]}" >&2
    if ! $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
      $sudo apt-get update -qq
      $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
  else
    echo "setup: install ${missing[*]} (redis-server may also be given as HOMEPORT_REDIS_SERVER)" >&2
    exit 1
  fi
fi

if command -v go >/dev/null 2>&1; then
  bash "$here/kube-binaries.sh" >/dev/null
  bash "$here/toxiproxy.sh" >/dev/null
  bash "$here/helm.sh" >/dev/null
else
  echo "setup: no Go on PATH; the tests will let kube-api-test download the Kubernetes binaries" >&2
  echo "setup: no Go on PATH; tests that inject faults need toxiproxy-server on PATH" \
    "(or HOMEPORT_TOXIPROXY_SERVER)" >&2
  echo "setup: no Go on PATH; the chart tests need helm on PATH (or HOMEPORT_HELM)" >&2
fi
echo "setup: ready" >&2
