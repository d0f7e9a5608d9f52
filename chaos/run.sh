#!/usr/bin/env bash
# Builds Understudy and runs the long chaos run: a local appliance on free ports, keyed writes through the switch,
# seeded faults, a history check; the summary table per fault type is printed and saved under chaos/results/.
# Usage: chaos/run.sh [--cycles 200] [--seed N] [--nodes 2] [--faults default|all|name,...] [--rate 60]
#                     [--sync-fallback async|refuse] [--out chaos/results] [--data-dir DIR]
# Exit code 0 when no violation was found.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package
jar=launcher/target/understudy.jar
# The chaos jar first: its logback.xml keeps the children's lines in their log files.
exec java -Dunderstudy.classpath="$jar" -cp "chaos/target/understudy-chaos-0.1.0-SNAPSHOT.jar:$jar" \
  io.understudy.chaos.ChaosRun "$@"
