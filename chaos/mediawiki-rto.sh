#!/usr/bin/env bash
# Builds Understudy and measures MediaWiki behind the switch on a local appliance on free ports: the write gap, time
# to recover, failed requests and lost writes through kill -9 and SIGSTOP of the primary, and how long an
# acknowledged upload takes to be whole in the secondary's uploads directory. Needs Debian's MediaWiki:
#   apt-get install -y --no-install-recommends mediawiki php-pgsql php-cli
# Usage: chaos/mediawiki-rto.sh [runs per fault, default 3] [SIGSTOP length in ms, default 4000]
# CHAOS_PORTS=21000-21999 keeps every port it opens in that range (default: free ports in 20000-32700).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package
jar=launcher/target/understudy.jar
exec java -Dunderstudy.classpath="$jar" -Dchaos.ports="${CHAOS_PORTS:-}" -cp "chaos/target/understudy-chaos-0.1.0-SNAPSHOT.jar:$jar" \
  io.understudy.chaos.mediawiki.MediaWikiRto "$@"
