#!/usr/bin/env bash
# Test hosts for the Ansible roles, on this machine alone: each host is a network namespace on a
# private bridge, booting systemd with systemd-nspawn over a throwaway overlay of this machine's
# root filesystem (its writes live in memory and vanish with it), reached over SSH.
#
#   hosts.sh up [N]          boot hosts us-h1..us-hN (default 3) at 10.77.0.11..; prints the boot time
#   hosts.sh down            kill every host, delete the namespaces, unmount; safe to run twice
#   hosts.sh run CMD...      run CMD in the controller namespace (10.77.0.1), e.g. ansible-playbook
#   hosts.sh ssh HOST CMD... run CMD on a host (us-h1 or 10.77.0.11) as root
#   hosts.sh cut|join HOST   take a host's link down or up again (a real partition)
#
# Everything the hosts run must be installed on this machine first: they have no route out.
# State lives in $US_HOSTS_DIR (default /tmp/us-hosts). Only namespaces named us-* are touched.
set -euo pipefail

DIR=${US_HOSTS_DIR:-/tmp/us-hosts}
NET=10.77.0
CTL_NS=us-ctl
BRIDGE=us-br0

log() { printf '%s hosts: %s\n' "$(date +%T)" "$*" >&2; }

host_ns() { # us-h1 or 10.77.0.11 -> us-h1
  case "$1" in
    "$NET".*) echo "us-h$(( ${1##*.} - 10 ))" ;;
    *) echo "$1" ;;
  esac
}
host_ip() { local ns; ns=$(host_ns "$1"); echo "$NET.$(( ${ns#us-h} + 10 ))"; }

ssh_opts() {
  echo "-i $DIR/id_ed25519 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR" \
       "-o GSSAPIAuthentication=no -o ConnectTimeout=5 -o BatchMode=yes"
}

prepare() {
  mkdir -p "$DIR/ssh-control"
  [ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C us-hosts -f "$DIR/id_ed25519"
  for tool in systemd-nspawn sshd unshare ip; do
    command -v "$tool" >/dev/null || { log "missing $tool (apt-get install systemd-container openssh-server iproute2)"; exit 1; }
  done
}

network_up() {
  local n=$1
  ip netns add "$CTL_NS"
  ip -n "$CTL_NS" link set lo up
  ip -n "$CTL_NS" link add "$BRIDGE" type bridge
  ip -n "$CTL_NS" addr add "$NET.1/24" dev "$BRIDGE"
  ip -n "$CTL_NS" link set "$BRIDGE" up
  for i in $(seq 1 "$n"); do
    local ns=us-h$i
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add eth0 type veth peer name "$ns" netns "$CTL_NS"
    ip -n "$ns" addr add "$NET.$((i + 10))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$CTL_NS" link set "$ns" master "$BRIDGE"
    ip -n "$CTL_NS" link set "$ns" up
  done
}

boot_host() {
  local ns=$1 root="$DIR/root-$1"
  mkdir -p "$root"
  # Only sshd starts at boot: without this every unit enabled on this machine would boot in every host.
  # Writable, so that enabling a service inside works; it goes away with the host.
  rm -rf "$DIR/wants-$ns" && mkdir -p "$DIR/wants-$ns"
  ln -s /lib/systemd/system/ssh.service "$DIR/wants-$ns/ssh.service"
  # A private mount namespace keeps the bind of / (and everything nspawn mounts) out of this machine's view.
  setsid unshare --mount --propagation private -- sh -c '
    mount --bind / "$1" && exec systemd-nspawn --quiet -b --volatile=overlay -D "$1" -M "$2" \
      --network-namespace-path=/run/netns/"$2" --register=no --keep-unit \
      --tmpfs=/root --bind-ro="$3/id_ed25519.pub:/root/.ssh/authorized_keys" \
      --bind="$3/wants-$2:/etc/systemd/system/multi-user.target.wants"' \
    sh "$root" "$ns" "$DIR" </dev/null >"$DIR/$ns.console" 2>&1 &
  echo $! >"$DIR/$ns.pid"
}

cmd_up() {
  local n=${1:-3} begin=$SECONDS
  if [ -e "$DIR/up" ]; then log "hosts are already up (run: $0 down)"; exit 1; fi
  prepare
  network_up "$n"
  echo "$n" >"$DIR/up"
  for i in $(seq 1 "$n"); do boot_host "us-h$i"; done
  for i in $(seq 1 "$n"); do
    local ip=$NET.$((i + 10)) deadline=$((SECONDS + 120))
    # shellcheck disable=SC2046
    until ip netns exec "$CTL_NS" ssh $(ssh_opts) "root@$ip" true 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then log "us-h$i: no SSH after 120 s; console:"; tail -20 "$DIR/us-h$i.console" >&2; exit 1; fi
      sleep 0.5
    done
  done
  log "$n hosts up, sshd answering, in $((SECONDS - begin)) s"
}

# The container's init is the only child of the nspawn process (nspawn itself is the child of sh -> exec).
container_init() {
  local pid; pid=$(cat "$DIR/$1.pid" 2>/dev/null) || return 0
  pgrep -P "$pid" -x systemd-nspawn | while read -r nspawn; do pgrep -P "$nspawn"; done
  pgrep -P "$pid" -x systemd 2>/dev/null || true
}

cmd_down() {
  local begin=$SECONDS
  for pidfile in "$DIR"/us-h*.pid; do
    [ -e "$pidfile" ] || continue
    local ns; ns=$(basename "$pidfile" .pid)
    local pid; pid=$(cat "$pidfile")
    # SIGKILL to the container's init ends every process in it at once; a SIGTERM to nspawn can hang for
    # over a minute while a PostgreSQL shuts down inside.
    for init in $(container_init "$ns"); do kill -9 "$init" 2>/dev/null || true; done
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^us-(h[0-9]+|ctl)$' || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  # The binds of / lived in private mount namespaces that died with their processes; nothing is left mounted
  # here, but say so if something is.
  if findmnt -rno TARGET | grep -q "^$DIR/"; then
    findmnt -rno TARGET | grep "^$DIR/" | sort -r | xargs -r -n1 umount -l
  fi
  rm -rf "$DIR"/root-us-h* "$DIR"/wants-us-h* "$DIR/up" "$DIR/ssh-control"
  log "down in $((SECONDS - begin)) s"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  run) shift; exec ip netns exec "$CTL_NS" env ANSIBLE_SSH_CONTROL_PATH_DIR="$DIR/ssh-control" "$@" ;;
  ssh) shift; h=$1; shift
       # shellcheck disable=SC2046
       exec ip netns exec "$CTL_NS" ssh $(ssh_opts) "root@$(host_ip "$h")" "$@" ;;
  cut) ip -n "$CTL_NS" link set "$(host_ns "$2")" down ;;
  join) ip -n "$CTL_NS" link set "$(host_ns "$2")" up ;;
  key) echo "$DIR/id_ed25519" ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
