#!/usr/bin/env bash
# The Ansible roles run for real on test hosts of this machine (hosts.sh): lint, syntax, deploy, an
# idempotent second deploy, check mode, verify, the refusals of the security set-up, a rolling upgrade
# under a keyed write load, adding and removing a node, a DR drill, and teardown. Prints each part's time.
# Needs root, the packages .ci/run installs, and the shaded jar (mvn -DskipTests package).
# US_CI_REUSE=1 runs the steps after the first deploy on hosts already up and deployed, and leaves them up.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ANSIBLE_DIR=$(dirname "$HERE")
ROOT=$(dirname "$ANSIBLE_DIR")
JAR=$ROOT/launcher/target/understudy.jar
export US_HOSTS_DIR=${US_HOSTS_DIR:-/tmp/us-hosts}
WORK=${US_CI_WORK:-/tmp/us-ci}
HOSTS="$HERE/hosts.sh"
INV=(-i inventories/ci)
INV4=(-i inventories/ci -i inventories/ci_added_node)
VAULT=(--vault-password-file tests/ci-vault-password)
SWITCHES=http://10.77.0.11:8080,http://10.77.0.12:8080
NODES=http://10.77.0.11:8081,http://10.77.0.12:8081,http://10.77.0.13:8081
TOKEN=ci-api-token-0123456789abcdef   # the CI vault's vault_understudy_api_token
REUSE=${US_CI_REUSE:-0}
declare -a TIMES=()

part() { PART=$1; PART_START=$SECONDS; echo; echo "=== $PART"; }
done_part() { TIMES+=("$(printf '%-44s %4d s' "$PART" $((SECONDS - PART_START)))"); echo "=== $PART: $((SECONDS - PART_START)) s"; }
fail() { echo "FAILED: $PART: $*" >&2; exit 1; }
play() { "$HOSTS" run env ANSIBLE_FORCE_COLOR=0 ansible-playbook "$@"; }
# "changed=N" of every host in the PLAY RECAP of a log
changed_counts() { sed -n '/PLAY RECAP/,$p' "$1" | grep -oE '^[a-z0-9-]+ +: ok=[0-9]+ +changed=[0-9]+' | awk '{print $1, $4}'; }
summary() {
  echo; echo "=== Ansible harness times"
  for t in "${TIMES[@]}"; do echo "  $t"; done
}
cleanup() {
  local rc=$?
  if [ "$REUSE" != 1 ]; then part "teardown (hosts, namespaces, mounts)"; "$HOSTS" down || true; done_part; fi
  summary
  exit $rc
}

[ -f "$JAR" ] || { echo "no $JAR: build it first (mvn -DskipTests package)"; exit 1; }
rm -rf "$WORK"; mkdir -p "$WORK"
cd "$ANSIBLE_DIR"
[ "$REUSE" = 1 ] || "$HOSTS" down >/dev/null 2>&1 || true
trap cleanup EXIT

part "ansible-lint (production profile)"
ansible-lint --offline -q || fail "ansible-lint"
done_part

part "syntax check of every playbook"
for p in playbooks/*.yml; do
  ansible-playbook "${INV4[@]}" "${VAULT[@]}" -e node=us-h4 --syntax-check "$p" >/dev/null || fail "$p"
done
done_part

if [ "$REUSE" != 1 ]; then
part "boot 4 hosts (systemd-nspawn, network namespaces)"
"$HOSTS" up 4
done_part

part "deploy"
play "${INV[@]}" "${VAULT[@]}" playbooks/deploy.yml | tee "$WORK/deploy-1.log" | grep -E '^(PLAY|TASK|fatal|ok=|changed|us-h)|RECAP' | grep -vE '^TASK' || true
grep -q 'failed=0' "$WORK/deploy-1.log" && ! grep -qE 'failed=[1-9]|unreachable=[1-9]' "$WORK/deploy-1.log" || fail "see $WORK/deploy-1.log"
done_part

part "deploy again: changed=0 on every host"
play "${INV[@]}" "${VAULT[@]}" playbooks/deploy.yml >"$WORK/deploy-2.log" || fail "see $WORK/deploy-2.log"
changed_counts "$WORK/deploy-2.log"
[ -z "$(changed_counts "$WORK/deploy-2.log" | awk '$2 != "changed=0"')" ] || fail "the second deploy changed something: $WORK/deploy-2.log"
done_part
fi

part "check mode with diff: changed=0"
play "${INV[@]}" "${VAULT[@]}" --check --diff playbooks/deploy.yml >"$WORK/check.log" || fail "see $WORK/check.log"
changed_counts "$WORK/check.log"
[ -z "$(changed_counts "$WORK/check.log" | awk '$2 != "changed=0"')" ] || fail "check mode found changes: $WORK/check.log"
done_part

part "verify"
play "${INV[@]}" "${VAULT[@]}" playbooks/verify.yml >"$WORK/verify.log" || fail "see $WORK/verify.log"
grep -E '"msg": ".*primary' "$WORK/verify.log" | head -2
done_part

part "refusals: pg_hba, scram, node token, ZooKeeper ACL"
# Not a peer (us-h4 runs no node yet): refused by pg_hba whatever the password.
out=$("$HOSTS" ssh us-h4 "PGPASSWORD=ci-db-password-0123456789 psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1'" 2>&1) \
  && fail "a host that is no peer reached PostgreSQL: $out"
echo "$out" | grep -q 'pg_hba.conf rejects' || fail "expected a pg_hba refusal, got: $out"
echo "not a peer      -> $out"
out=$("$HOSTS" ssh us-h2 "PGPASSWORD=wrong-password psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1'" 2>&1) \
  && fail "a wrong password reached PostgreSQL: $out"
echo "$out" | grep -q 'password authentication failed' || fail "expected a scram refusal, got: $out"
echo "wrong password  -> $out"
out=$("$HOSTS" ssh us-h2 "PGPASSWORD=ci-db-password-0123456789 psql -h 10.77.0.11 -U understudy -d understudy -Atc 'select 1'" 2>&1) \
  || fail "a peer with the password was refused: $out"
echo "peer + password -> $out"
code=$("$HOSTS" run curl -s -o "$WORK/put.json" -w '%{http_code}' -X PUT -d '{"x":1}' http://10.77.0.11:8081/api/objects/direct)
[ "$code" = 401 ] || fail "a write straight to a node without the token answered $code"
echo "PUT to a node without the token -> $code $(cat "$WORK/put.json")"
code=$("$HOSTS" run curl -s -o /dev/null -w '%{http_code}' -X PUT -d '{"x":1}' http://10.77.0.11:8080/api/objects/through-switch)
[ "$code" = 201 ] || [ "$code" = 200 ] || fail "a write through the switch answered $code"
echo "PUT through the switch -> $code"
out=$("$HOSTS" ssh us-h3 "java -cp /opt/understudy/current/understudy.jar org.apache.zookeeper.ZooKeeperMain -server 127.0.0.1:2181 get /understudy/ci/primary" 2>&1 || true)
echo "$out" | grep -qiE 'Insufficient permission|NoAuth' || fail "ZooKeeper served /primary to a client without credentials: $out"
echo "ZooKeeper get /primary without credentials -> $(echo "$out" | grep -iE 'Insufficient permission|NoAuth' | head -1)"
done_part

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

part "add a node (us-h4)"
play "${INV4[@]}" "${VAULT[@]}" -e node=us-h4 playbooks/add_node.yml >"$WORK/add.log" || fail "see $WORK/add.log"
changed_counts "$WORK/add.log"
changed_counts "$WORK/add.log" | grep -q '^us-h3 changed=0' || fail "add_node changed more than the new host and pg_hba"
done_part

part "remove a node (us-h4)"
play "${INV4[@]}" "${VAULT[@]}" -e node=us-h1 playbooks/remove_node.yml >"$WORK/remove-primary.log" 2>&1 \
  && fail "remove_node.yml removed the primary"
grep -q 'refusing to remove' "$WORK/remove-primary.log" || fail "no refusal message: $WORK/remove-primary.log"
echo "removing the primary us-h1: refused"
play "${INV4[@]}" "${VAULT[@]}" -e node=us-h4 playbooks/remove_node.yml >"$WORK/remove.log" || fail "see $WORK/remove.log"
grep -E 'WARNING: this build' "$WORK/remove.log" || true
changed_counts "$WORK/remove.log"
done_part

part "DR drill"
if "$HOSTS" ssh us-h1 java -jar /opt/understudy/current/understudy.jar drill --help >/dev/null 2>&1; then
  play "${INV[@]}" "${VAULT[@]}" -e kind=switchover playbooks/dr_drill.yml >"$WORK/drill.log" || fail "see $WORK/drill.log"
  report=$(ls -t "$ANSIBLE_DIR"/drills/*/*.json 2>/dev/null | head -1)
  [ -n "$report" ] || fail "the drill's report was not fetched"
  echo "drill report: $report"
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1)[:2000])' "$report"
else
  echo "PENDING: this build has no 'understudy drill' command; dr_drill.yml is ready and runs once it has"
fi
done_part
