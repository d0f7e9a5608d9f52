#!/usr/bin/env bash
# Builds Understudy and runs one benchmark program; figures are printed and saved under
# bench/results/. Usage: bench/run.sh failover [runs]
#                      bench/run.sh switch [seconds] [connections] [rounds]   (installs wrk, nginx, haproxy if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh failover [args...]}
shift
mvn -q -B -DskipTests install
jar=launcher/target/understudy.jar
case "$name" in
  failover) main=io.understudy.bench.FailoverBench ;;
  switch)
    main=io.understudy.bench.SwitchBench
    # the switch's per-request access log is off for the comparison (nginx runs with access_log off too)
    export UNDERSTUDY_SWITCH_ACCESSLOG=false ;;
  *) echo "unknown benchmark '$name' (known: failover, switch)" >&2; exit 2 ;;
esac
exec java -Dunderstudy.classpath="$jar" -cp "$jar:bench/target/understudy-bench-0.1.0-SNAPSHOT.jar" "$main" "$@"
