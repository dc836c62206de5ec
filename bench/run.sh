#!/usr/bin/env bash
# Runs every Homeport benchmark and writes bench/target/report/benchmarks.{md,json} and proxy.svg.
#
#   bench/run.sh              # full run: about 30 minutes
#   bench/run.sh --quick      # short runs, to check the set-up (figures not to quote)
#   bench/run.sh --help       # options (--skip, --duration, --connections)
#
# Needs: Java 17+, Maven, redis-server, nginx, haproxy, wrk, taskset (util-linux) and two cores
# (servers are pinned to core 0, wrk to core 1). On Debian:
#   apt-get install -y redis-server nginx-light haproxy wrk
# The re-homing and failover runs use the local system (kube-apiserver, etcd, kubectl, Toxiproxy),
# which e2e/bin/setup.sh installs and caches; this script runs it first.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in java mvn redis-server nginx haproxy wrk taskset; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "bench/run.sh: missing ${missing[*]} (Debian: apt-get install -y redis-server nginx-light haproxy wrk)" >&2
  exit 2
fi

bash e2e/bin/setup.sh

# The front-door's and operator's jars (run as their own processes) and the benchmarks' jar.
if [[ "${HOMEPORT_BENCH_SKIP_BUILD:-}" != "true" ]]; then
  mvn -B -q package -pl bench -am -Pbench -DskipTests -Dhomeport.images.skip=true
fi

exec java -jar bench/target/homeport-bench.jar "$@"
