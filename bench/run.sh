#!/usr/bin/env bash
# Builds Understudy and runs one benchmark program; figures are printed and saved under
# bench/results/. Usage: bench/run.sh failover [runs]
#                      bench/run.sh rto [runs]   (sync mode, ~50 writes/s: runs x kill -9 of the primary, runs x switchover)
#                      bench/run.sh switchover [runs]   (runs x switchover in async mode, then in sync mode; no catch-up wait;
#                                                         BENCH_OPTS=-Dbench.settleSeconds=N: N s of steady writes before each, default 3)
#                      bench/run.sh switch [seconds] [connections] [rounds]   (installs wrk, nginx, haproxy if missing)
#                      bench/run.sh switch-cost [seconds] [connections] [rounds]   (switch vs nginx CPU per request, static backend)
#                      bench/run.sh replication [seconds per stage]   (also records bench/results/replication.jfr)
#                      BENCH_OPTS=-Dbench.only=writepath bench/run.sh replication [seconds per stage]   (only the write-path rows, PUTs from wrk, 3 interleaved rounds, ~4 min at 10 s;
#                                                                                   -Dbench.writePathRounds=N)
#                      BENCH_OPTS=-Dbench.only=lag bench/run.sh replication [seconds per stage]   (only the lag stages at 100 and 1,000 tx/s, ~2 min at 10 s)
#                      BENCH_OPTS=-Dbench.only=sync bench/run.sh replication [seconds per stage]   (only the sync rows, 1/4/16 clients and remote_apply, ~2 min at 10 s)
#                      BENCH_OPTS=-Dbench.only=throughput bench/run.sh replication [seconds per stage]   (only max 1-row, max 10-row and the backlog, ~2 min at 10 s)
#                      (BENCH_OPTS may also set -Dbench.firstPort=N: 15 ports from N, default 19080)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: bench/run.sh failover [args...]}
shift
# package, not install: the reactor finds the modules' jars itself, and ~/.m2 stays untouched
mvn -q -B -DskipTests package
jar=launcher/target/understudy.jar
jvm_opts=()
case "$name" in
  failover) main=io.understudy.bench.FailoverBench ;;
  rto) main=io.understudy.bench.RtoBench ;;
  switchover)
    # one appliance per mode, one result file each
    for mode in async sync; do
      java ${BENCH_OPTS:-} -Dbench.mode=$mode -Dbench.kills=0 -Dbench.awaitCaughtUp=false -Dunderstudy.classpath="$jar" \
        -cp "$jar:bench/target/understudy-bench-0.1.0-SNAPSHOT.jar" io.understudy.bench.RtoBench "$@"
    done
    exit 0 ;;
  switch)
    # SwitchBench starts the switch under test itself, access log off (nginx runs with access_log off too);
    # BENCH_OPTS passes -Dbench.pin=false, -Dbench.warmup=<s>, -Dbench.switchJvmArgs=<JVM option>
    main=io.understudy.bench.SwitchBench
    read -ra bench_opts <<<"${BENCH_OPTS:-}"
    jvm_opts+=("${bench_opts[@]}") ;;
  switch-cost)
    main=io.understudy.bench.SwitchCost
    read -ra bench_opts <<<"${BENCH_OPTS:-}"
    jvm_opts+=("${bench_opts[@]}") ;;
  replication)
    main=io.understudy.bench.ReplicationBench
    mkdir -p bench/results
    # BENCH_OPTS passes -Dbench.only=writepath (the write-path rows only), -Dbench.only=lag (the lag stages only), -Dbench.only=sync (the sync rows only), -Dbench.only=throughput (max and backlog only), -Dbench.warmSeconds=N, -Dbench.writePathRounds=N, -Dbench.backlog=N, -Dbench.firstPort=N
    read -ra bench_opts <<<"${BENCH_OPTS:-}"
    jvm_opts+=("${bench_opts[@]}")
    jvm_opts+=("-XX:StartFlightRecording=filename=bench/results/replication.jfr,settings=profile") ;;
  *) echo "unknown benchmark '$name' (known: failover, rto, switchover, switch, switch-cost, replication)" >&2; exit 2 ;;
esac
exec java "${jvm_opts[@]}" -Dunderstudy.classpath="$jar" -cp "$jar:bench/target/understudy-bench-0.1.0-SNAPSHOT.jar" "$main" "$@"
