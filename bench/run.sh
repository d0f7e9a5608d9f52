#!/usr/bin/env bash
# Builds Understudy and runs one benchmark program; figures are printed and saved under
# bench/results/. Usage: bench/run.sh failover [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh failover [args...]}
shift
mvn -q -B -DskipTests install
jar=launcher/target/understudy.jar
case "$name" in
  failover) main=io.understudy.bench.FailoverBench ;;
  *) echo "unknown benchmark '$name' (known: failover)" >&2; exit 2 ;;
esac
exec java -Dunderstudy.classpath="$jar" -cp "$jar:bench/target/understudy-bench-0.1.0-SNAPSHOT.jar" "$main" "$@"
