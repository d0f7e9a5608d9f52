#!/usr/bin/env bash
# The Ansible roles run for real on three test hosts of this machine (hosts.sh): lint, syntax, deploy, an
# idempotent second deploy, check mode, verify, the refusals of the security set-up, a rolling upgrade
# under a keyed write load, the refusal of an unsafe upgrade step, removing a node (its slot gone at once)
# and adding it back, a DR drill with `understudy drill`, and teardown. Prints each part's time and the
# machine's load average when it ended.
# Needs root, the packages .ci/run installs, and the shaded jar (mvn -DskipTests package).
# US_CI_REUSE=1 runs the steps after the first deploy on hosts already up and deployed, and leaves them up;
# US_CI_SKIP="lint check verify refusals upgrade" (any of them) leaves those parts out, to work on a later one.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ANSIBLE_DIR=$(dirname "$HERE")
ROOT=$(dirname "$ANSIBLE_DIR")
JAR=$ROOT/launcher/target/understudy.jar
export US_HOSTS_DIR=${US_HOSTS_DIR:-/tmp/us-hosts}
WORK=${US_CI_WORK:-/tmp/us-ci}
HOSTS="$HERE/hosts.sh"
INV=(-i inventories/ci)
VAULT=(--vault-password-file tests/ci-vault-password)
# The CI inventory's ports (not Understudy's defaults) and hosts: node a on us-h1, b on us-h2, c on us-h3.
SWITCH=http://10.77.0.11:9080
SWITCHES=http://10.77.0.11:9080,http://10.77.0.12:9080
NODES=http://10.77.0.11:9081,http://10.77.0.12:9081,http://10.77.0.13:9081
DB_PASSWORD=ci-db-password-0123456789   # the CI vault's vault_understudy_db_password
REUSE=${US_CI_REUSE:-0}
# US_CI_STATIC_ONLY=1: lint and syntax check only, no hosts (what .ci/run runs; see docs/deployment.md)
STATIC=${US_CI_STATIC_ONLY:-0}
wanted() { [[ " ${US_CI_SKIP:-} " != *" $1 "* ]]; }
declare -a TIMES=()

part() { PART=$1; PART_START=$SECONDS; echo; echo "=== $PART"; }
done_part() {
  local took=$((SECONDS - PART_START)) load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  TIMES+=("$(printf '%-52s %4d s   (load %s)' "$PART" "$took" "$load")")
  echo "=== $PART: $took s (load average $load)"
}
fail() { echo "FAILED: $PART: $*" >&2; exit 1; }
# A playbook that failed: the drill's own last lines, if any, and each failed task's message, compactly (CI keeps
# only the end of its output), then fail.
play_failed() {
  local log=$1
  echo "--- from $log:"
  sed -n "/TASK \[Show the drill's output\]/,/^TASK/p" "$log" | grep -E '^ +"' | tail -12 | cut -c1-220
  grep -E '^(fatal|failed): ' "$log" | tail -4 | cut -c1-400
  fail "see $log"
}
play() { "$HOSTS" run env ANSIBLE_FORCE_COLOR=0 ansible-playbook "$@"; }
# "changed=N" of every host in the PLAY RECAP of a log
changed_counts() { sed -n '/PLAY RECAP/,$p' "$1" | grep -oE '^[a-z0-9-]+ +: ok=[0-9]+ +changed=[0-9]+' | awk '{print $1, $4}'; }
# "<host> <task>" for every task that reported changed in a log (a delegated task counts for the host it ran on)
changed_tasks() {
  awk '/^(TASK|RUNNING HANDLER) \[/ { task = $0; sub(/^[A-Z ]+\[/, "", task); sub(/\] \**$/, "", task) }
       /^changed: \[/ { h = $2; gsub(/[\[\]]/, "", h); if ($3 == "->") { h = $4; gsub(/[\[\]]/, "", h) } print h " " task }' "$1"
}
status_json() { "$HOSTS" run curl -sf "$SWITCH/_understudy/status"; }
primary_id() { status_json | python3 -c 'import json,sys; print((json.load(sys.stdin).get("primary") or {}).get("nodeId", ""))'; }
# the primary's id once the first switch names one (it may be reconnecting to ZooKeeper after a roll); empty after 60 s
await_primary_id() {
  local id="" tries=0
  while [ -z "$id" ] && [ $tries -lt 60 ]; do
    id=$(primary_id 2>/dev/null || true)
    [ -n "$id" ] || { tries=$((tries + 1)); sleep 1; }
  done
  echo "$id"
}
host_of() { echo "us-h$(( $(printf '%d' "'$1") - 96 ))"; }   # node a -> us-h1
# the replication slots on the PostgreSQL of a host
slots_on() { "$HOSTS" ssh "$1" "runuser -u postgres -- psql -d understudy -Atc 'select slot_name from pg_replication_slots order by 1'"; }
summary() {
  echo; echo "=== Ansible harness times (part, wall time, load average 1/5/15 min when it ended)"
  for t in "${TIMES[@]}"; do echo "  $t"; done
}
cleanup() {
  local rc=$?
  if [ "$REUSE" != 1 ] && [ "$STATIC" != 1 ]; then part "teardown (hosts, namespaces, mounts)"; "$HOSTS" down || true; done_part; fi
  summary
  exit $rc
}

[ -f "$JAR" ] || { echo "no $JAR: build it first (mvn -DskipTests package)"; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"
cd "$ANSIBLE_DIR"
[ "$REUSE" = 1 ] || [ "$STATIC" = 1 ] || "$HOSTS" down >/dev/null 2>&1 || true
trap cleanup EXIT

if wanted lint; then
part "ansible-lint (production profile)"
ansible-lint --offline -q || fail "ansible-lint"
done_part
fi

part "syntax check of every playbook"
# one ansible-playbook for all of them: each start costs seconds on a loaded machine
ansible-playbook "${INV[@]}" "${VAULT[@]}" -e node=us-h3 --syntax-check playbooks/*.yml >"$WORK/syntax.log" 2>&1 \
  || { tail -20 "$WORK/syntax.log"; fail "see $WORK/syntax.log"; }
echo "$(ls playbooks/*.yml | wc -l) playbooks"
done_part
[ "$STATIC" != 1 ] || exit 0

if [ "$REUSE" != 1 ]; then
part "boot 3 hosts (systemd-nspawn, network namespaces)"
"$HOSTS" up 3
done_part

part "deploy"
play "${INV[@]}" "${VAULT[@]}" playbooks/deploy.yml | tee "$WORK/deploy-1.log" | grep -E '^(PLAY|TASK|fatal|ok=|changed|us-h)|RECAP' | grep -vE '^TASK' || true
grep -q 'failed=0' "$WORK/deploy-1.log" && ! grep -qE 'failed=[1-9]|unreachable=[1-9]' "$WORK/deploy-1.log" || play_failed "$WORK/deploy-1.log"
done_part

part "deploy again: changed=0 on every host"
play "${INV[@]}" "${VAULT[@]}" playbooks/deploy.yml >"$WORK/deploy-2.log" || play_failed "$WORK/deploy-2.log"
changed_counts "$WORK/deploy-2.log"
[ -z "$(changed_counts "$WORK/deploy-2.log" | awk '$2 != "changed=0"')" ] || fail "the second deploy changed something: $WORK/deploy-2.log"
done_part
fi

if wanted check; then
part "check mode with diff: changed=0"
play "${INV[@]}" "${VAULT[@]}" --check --diff playbooks/deploy.yml >"$WORK/check.log" || play_failed "$WORK/check.log"
changed_counts "$WORK/check.log"
[ -z "$(changed_counts "$WORK/check.log" | awk '$2 != "changed=0"')" ] || fail "check mode found changes: $WORK/check.log"
! grep -qE '^(---|\+\+\+) (before|after)' "$WORK/check.log" || fail "check mode printed a diff: $WORK/check.log"
done_part
fi

if wanted verify; then
part "verify"
play "${INV[@]}" "${VAULT[@]}" playbooks/verify.yml >"$WORK/verify.log" || play_failed "$WORK/verify.log"
grep -E '"msg": ".*primary' "$WORK/verify.log" | head -2
done_part
fi

if wanted refusals; then
part "refusals: pg_hba, scram, node token, ZooKeeper ACL"
# The controller (10.77.0.1) is no peer: refused by pg_hba whatever the password.
out=$("$HOSTS" run env PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1' 2>&1) \
  && fail "a host that is no peer reached PostgreSQL: $out"
echo "$out" | grep -q 'pg_hba.conf rejects' || fail "expected a pg_hba refusal, got: $out"
echo "not a peer      -> $out"
out=$("$HOSTS" ssh us-h2 "PGPASSWORD=wrong-password psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1'" 2>&1) \
  && fail "a wrong password reached PostgreSQL: $out"
echo "$out" | grep -q 'password authentication failed' || fail "expected a scram refusal, got: $out"
echo "wrong password  -> $out"
out=$("$HOSTS" ssh us-h2 "PGPASSWORD=$DB_PASSWORD psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1'" 2>&1) \
  || fail "a peer with the password was refused: $out"
echo "peer + password -> $out"
code=$("$HOSTS" run curl -s -o "$WORK/put.json" -w '%{http_code}' -X PUT -d '{"x":1}' http://10.77.0.11:9081/api/objects/direct)
[ "$code" = 401 ] || fail "a write straight to a node without the token answered $code"
echo "PUT to a node without the token -> $code $(cat "$WORK/put.json")"
code=$("$HOSTS" run curl -s -o /dev/null -w '%{http_code}' -X PUT -d '{"x":1}' "$SWITCH/api/objects/through-switch")
[ "$code" = 201 ] || [ "$code" = 200 ] || fail "a write through the switch answered $code"
echo "PUT through the switch -> $code"
# ZooKeeper without credentials, from the controller (no peer): reading and overwriting /primary refused
out=$("$HOSTS" run java -cp "$JAR" "$HERE/ZkProbe.java" 10.77.0.13:2181 /understudy/ci/primary 2>&1) \
  || fail "ZooKeeper let a client without credentials at /primary: $(echo "$out" | grep -E '^(read|write|no connection)')"
echo "$out" | grep -E '^(read|write): ' | sed 's/^/ZooKeeper \/primary without credentials, /'
done_part
fi

if wanted upgrade; then
part "rolling upgrade under a keyed write load"
cp "$JAR" "$WORK/understudy-next.jar"
(cd "$WORK" && printf 'next build for the rolling upgrade\n' >NEXT-BUILD && jar uf understudy-next.jar NEXT-BUILD)
rm -f "$WORK/stop-load"
"$HOSTS" run python3 "$HERE/load.py" --switches "$SWITCHES" --nodes "$NODES" --stop-file "$WORK/stop-load" \
  --out "$WORK/load-upgrade.json" --prefix upgrade --rate 20 --max-seconds 600 >"$WORK/load-upgrade.log" 2>&1 &
LOAD_PID=$!
sleep 5
play "${INV[@]}" "${VAULT[@]}" -e understudy_jar_src="$WORK/understudy-next.jar" playbooks/rolling_upgrade.yml \
  >"$WORK/upgrade.log" || { touch "$WORK/stop-load"; wait $LOAD_PID || true; fail "see $WORK/upgrade.log"; }
sleep 5
touch "$WORK/stop-load"
wait $LOAD_PID || true
cat "$WORK/load-upgrade.json"
python3 - "$WORK/load-upgrade.json" <<'PY' || fail "the write load saw failures or lost writes"
import json, sys
s = json.load(open(sys.argv[1]))
print("rolling upgrade: %(acknowledged)d writes acknowledged, %(failed)d failed, %(lostOrDifferent)d lost, "
      "max write gap %(maxWriteGapMs)s ms, %(movedToAnotherSwitch)d moved to the other switch, "
      "%(resentAfterClosedConnection)d resent after a closed connection" % s)
sys.exit(0 if s["failed"] == 0 and s["lostOrDifferent"] == 0 and s["acknowledged"] > 0 else 1)
PY
new=$(sha256sum "$WORK/understudy-next.jar" | cut -c1-12)
for h in us-h1 us-h2 us-h3; do
  [ "$("$HOSTS" ssh $h readlink /opt/understudy/current)" = "releases/$new" ] || fail "$h does not run release $new"
done
echo "every host runs release $new"
done_part
fi

# The secondary that is taken down, removed and added back below: not the primary, and not us-h1 (the
# inventory's initial primary, which add_node.yml refuses to add).
PRIMARY=$(await_primary_id)
[ -n "$PRIMARY" ] || fail "no primary after the upgrade: $("$HOSTS" run curl -s "$SWITCH/_understudy/status" 2>&1 | head -c 600)"
SPARE_ID=$(for id in b c; do if [ "$id" != "$PRIMARY" ]; then echo $id; fi; done | head -1)
SPARE=$(host_of "$SPARE_ID")
echo "primary $PRIMARY; node $SPARE_ID on $SPARE is stopped, removed and added back"

part "rolling upgrade refused while node $SPARE_ID is down"
"$HOSTS" ssh "$SPARE" systemctl stop understudy-node.service
cp "$JAR" "$WORK/understudy-next2.jar"
(cd "$WORK" && printf 'another build\n' >NEXT-BUILD-2 && jar uf understudy-next2.jar NEXT-BUILD-2)
epoch_before=$(status_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["primary"]["epoch"])')
play "${INV[@]}" "${VAULT[@]}" -e understudy_jar_src="$WORK/understudy-next2.jar" playbooks/rolling_upgrade.yml \
  >"$WORK/upgrade-refused.log" 2>&1 && fail "the upgrade went ahead with node $SPARE_ID down: $WORK/upgrade-refused.log"
grep -o "refusing: node(s) $SPARE_ID of the inventory[^;]*" "$WORK/upgrade-refused.log" | head -1 \
  || fail "no refusal naming node $SPARE_ID: $WORK/upgrade-refused.log"
release=$("$HOSTS" ssh us-h1 readlink /opt/understudy/current)
for h in us-h1 us-h2 us-h3; do
  [ "$("$HOSTS" ssh $h readlink /opt/understudy/current)" = "$release" ] || fail "$h changed its release"
  ! "$HOSTS" ssh $h test -e "/opt/understudy/releases/$(sha256sum "$WORK/understudy-next2.jar" | cut -c1-12)" \
    || fail "$h got the refused build installed"
done
[ "$(status_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["primary"]["epoch"])')" = "$epoch_before" ] \
  || fail "the primary changed during a refused upgrade"
echo "nothing installed, nothing restarted, primary $PRIMARY still in epoch $epoch_before"
done_part

part "remove node $SPARE_ID: refused for the primary, its slot gone at once"
play "${INV[@]}" "${VAULT[@]}" -e node="$(host_of "$PRIMARY")" playbooks/remove_node.yml >"$WORK/remove-primary.log" 2>&1 \
  && fail "remove_node.yml removed the primary"
grep -q 'refusing to remove' "$WORK/remove-primary.log" || fail "no refusal message: $WORK/remove-primary.log"
echo "removing the primary $PRIMARY: refused"
PRIMARY_HOST=$(host_of "$PRIMARY")
echo "slots on the primary before: $(slots_on "$PRIMARY_HOST" | tr '\n' ' ')"
slots_on "$PRIMARY_HOST" | grep -qx "understudy_$SPARE_ID" || fail "node $SPARE_ID had no slot on the primary to begin with"
play "${INV[@]}" "${VAULT[@]}" -e node="$SPARE" playbooks/remove_node.yml >"$WORK/remove.log" || play_failed "$WORK/remove.log"
slots=$(slots_on "$PRIMARY_HOST" | tr '\n' ' ')
echo "slots on the primary right after: $slots"
! echo " $slots " | grep -q " understudy_$SPARE_ID " || fail "the slot of node $SPARE_ID is still there"
"$HOSTS" run curl -sf "$SWITCH/_understudy/members" | python3 -c "
import json, sys
m = {e['nodeId']: e['state'] for e in json.load(sys.stdin)['members']}
print('roster:', m)
sys.exit(0 if m.get('$SPARE_ID') == 'REMOVED' else 1)" || fail "the roster does not say $SPARE_ID is removed"
changed_counts "$WORK/remove.log"
done_part

part "add node $SPARE_ID back"
play "${INV[@]}" "${VAULT[@]}" -e node="$SPARE" playbooks/add_node.yml >"$WORK/add.log" || play_failed "$WORK/add.log"
changed_counts "$WORK/add.log"
others=$(changed_tasks "$WORK/add.log" | awk -v h="$SPARE" '$1 != h' | sort -u)
echo "changed on the other hosts:"; echo "$others" | sed 's/^/  /'
[ -z "$(echo "$others" | grep -vE 'pg_hba|peer nodes|Reload PostgreSQL|Readmit' | grep .)" ] \
  || fail "add_node changed more than pg_hba and the readmission on the other hosts"
slots_on "$PRIMARY_HOST" | grep -qx "understudy_$SPARE_ID" || fail "node $SPARE_ID streams without a slot on the primary"
echo "node $SPARE_ID streams again, slot understudy_$SPARE_ID on the primary"
done_part

part "DR drill (understudy drill, switchover, report fetched)"
rm -rf "$ANSIBLE_DIR/drills"
play "${INV[@]}" "${VAULT[@]}" -e kind=switchover -e '{"drill_extra_args": "--duration 20s --rate 20 --max-lost 0"}' \
  playbooks/dr_drill.yml >"$WORK/drill.log" || play_failed "$WORK/drill.log"
report=$(ls "$ANSIBLE_DIR"/drills/*/drill-*.json 2>/dev/null | grep -v requests | head -1)
[ -n "$report" ] || fail "the drill's report was not fetched"
echo "drill report on the controller: $report ($(ls "$(dirname "$report")" | tr '\n' ' '))"
python3 - "$report" <<'PY' || fail "the drill's report does not say it passed with nothing lost"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["figures"]
print("drill %s: passed=%s, RTO %d ms, %d writes acknowledged, %d lost, %d failed requests, %d retried, %d held, "
      "max latency %d ms, new primary %s" % (r["kind"], r["verdict"]["passed"], f["rtoMs"], f["acknowledgedWrites"],
      r["lostWrites"], f["failedRequests"], f["retriedWrites"], f["heldRequests"], f["maxLatencyMs"], r["fault"]["newPrimary"]))
for n in r["nodes"]:
    print("  node %s (%s): checked=%s, holds %d, missing %d, wrong body %d %s" % (
        n["nodeId"], n["role"], n["checked"], n["held"], n["missing"], n["wrongBody"], n.get("note") or ""))
sys.exit(0 if r["verdict"]["passed"] and r["lostWrites"] == 0 and all(n["checked"] for n in r["nodes"]) else 1)
PY
done_part
