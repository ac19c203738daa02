#!/usr/bin/env bash
# The project's local environment: a registry, a Docker engine and a real single-node Kubernetes
# cluster (etcd, control plane, containerd, CNI, kubelet, kube-proxy, metrics-server), every piece a
# plain background process of this machine, owned by this script; then its add-ons as pods: Traefik
# (ingress, http://10.244.0.1:80 and :443) and Prometheus (http://10.244.0.1:9090).
#
#   hack/cluster.sh up [SERVICE]   start everything (or everything up to SERVICE), wait until usable
#   hack/cluster.sh down           stop everything, then put the host back as it was
#   hack/cluster.sh stop NAME...   stop only these services, as a fault would; `up` starts them again
#   hack/cluster.sh status         each service with its PID, up or down
#   hack/cluster.sh env            export lines for a shell: eval "$(hack/cluster.sh env)"
#   hack/cluster.sh purge [--all]  down, then remove the state (--all: registry images, tools cache)
#
# State lives in $MICROSTACK_STATE (default ~/.local/state/microstack), one directory per service
# holding its pid file, log and configuration. Tools come from hack/tools.sh, base images from
# hack/images.sh. Nothing listens beyond loopback and the node's own bridge, and a guard rule keeps
# pod traffic on this machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MICROSTACK_STATE:-$HOME/.local/state/microstack}
CACHE=${MICROSTACK_CACHE:-$HOME/.cache/microstack}

# --- Network plan ----------------------------------------------------------------------------------
# The node's address is the gateway of its own pod bridge: it exists only on this machine, pods reach
# it directly, and the API server, kubelet and metrics-server can listen there without touching eth0.
NODE_NAME=microstack-node
BRIDGE=microstack0
CLUSTER_CIDR=10.244.0.0/16 # all pods
NODE_POD_CIDR=10.244.0.0/24 # this node's pods (host-local IPAM range)
NODE_IP=10.244.0.1          # bridge gateway = node InternalIP
SERVICE_CIDR=10.96.0.0/16
# The Docker engine's own bridge (build and `docker run` containers), NATed by our own rule.
DOCKER_BRIDGE=msdocker0
DOCKER_CIDR=172.30.0.0/24
DOCKER_GW=172.30.0.1
API_SERVICE_IP=10.96.0.1
API_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
METRICS_PORT=4443
REGISTRY_LISTEN=127.0.0.1:5001
REGISTRY=localhost:5001
# A second registry that needs a login (htpasswd), for stacks whose pods pull with credentials.
PRIVATE_REGISTRY_LISTEN=127.0.0.1:5002
PRIVATE_REGISTRY=localhost:5002
PRIVATE_REGISTRY_USER=microstack
CONTEXT=microstack-local
# Add-ons run as pods, on host ports of the node address (see start_traefik, start_prometheus).
INGRESS_NAMESPACE=traefik
INGRESS_CLASS=traefik
INGRESS_HTTP_PORT=80
INGRESS_HTTPS_PORT=443
MONITORING_NAMESPACE=monitoring
PROMETHEUS_PORT=9090
PROMETHEUS_URL=http://$NODE_IP:$PROMETHEUS_PORT
# The ServiceMonitor and PrometheusRule CRDs come from this module source (Go module proxy).
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"

KUBECONFIG_ADMIN=$STATE/kubeconfig
DOCKER_SOCK=$STATE/docker/docker.sock
CONTAINERD_SOCK=$STATE/containerd/containerd.sock
PKI=$STATE/pki
# Debian's 20.10 client: the newer /usr/local/bin/docker has no buildx, so BuildKit builds fail there.
DOCKER_CLI=/usr/bin/docker

# Start order; `down` walks it backwards.
SERVICES=(registry registry-private docker etcd kube-apiserver kube-controller-manager kube-scheduler containerd
  kubelet kube-proxy network-policy metrics-server)
# Steps of `up` in order (services plus the one-shot steps between them).
UP_STEPS=(registry registry-private docker images pki network etcd kube-apiserver kube-controller-manager
  kube-scheduler addons containerd kubelet kube-proxy network-policy metrics-server traefik prometheus)

# Sysctls the kubelet, kube-proxy or the CNI bridge plugin may change: saved at the first `up`,
# written back by `down`.
HOST_SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait)
# iptables chains created by kube-proxy, the kubelet, the CNI plugins, kube-router's NetworkPolicy
# controller (KUBE-ROUTER-*, KUBE-NWPLCY-*, KUBE-POD-FW-*) and this script.
OWN_CHAINS='^(KUBE|CNI|MICROSTACK)-'
# ipsets of kube-router's NetworkPolicy controller (KUBE-SRC-*, KUBE-DST-*, IPv6 ones prefixed inet6:,
# and the TMP-<16 base32> scratch sets of its atomic swaps); nothing else here uses ipset.
OWN_IPSETS='^(inet6:)?(KUBE-|TMP-[A-Z2-7]{16}$)'

# Our kubectl calls keep their discovery cache in the state directory, not in ~/.kube.
export KUBECACHEDIR=$STATE/kubectl-cache

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'hack/cluster.sh: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# --- Tools ---------------------------------------------------------------------------------------------
tool() {
  local p
  p=$("$ROOT/hack/tools.sh" path "$1" 2>/dev/null) && [[ -x $p ]] && {
    echo "$p"
    return
  }
  die "$1 is not built: run hack/tools.sh install"
}

# Build what is missing: Debian packages first (cheap), then the cached source builds (slow once).
# ensure_tools BINARY...: Debian packages, then the named cluster binaries.
ensure_tools() {
  local cmd missing=0 bin
  for cmd in docker-registry htpasswd dockerd containerd ctr runc iptables conntrack openssl busybox curl jq ipset; do
    command -v "$cmd" >/dev/null || missing=1
  done
  [[ -x /usr/lib/cni/bridge && -x $DOCKER_CLI ]] || missing=1
  if ((missing)); then
    log "installing Debian packages (hack/tools.sh apt)"
    "$ROOT/hack/tools.sh" apt
  fi
  [[ $# -gt 0 ]] || return 0
  command -v kubectl >/dev/null || die "kubectl is not installed"
  local need=()
  for bin in "$@"; do
    "$ROOT/hack/tools.sh" path "$bin" >/dev/null 2>&1 && continue
    # The control-plane and node binaries are all one tool.
    case $bin in
    kube-apiserver | kube-controller-manager | kube-scheduler | kubelet | kube-proxy) need+=(kubernetes) ;;
    *) need+=("$bin") ;;
    esac
  done
  if [[ ${#need[@]} -gt 0 ]]; then
    mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
    log "building ${need[*]} (hack/tools.sh install; long the first time)"
    "$ROOT/hack/tools.sh" install "${need[@]}"
  fi
}

# --- Processes -------------------------------------------------------------------------------------
# A service's pid file holds "PID STARTTIME": the start time tells a live service from an unrelated
# process that got the same PID after a crash or a reboot.
proc_starttime() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# alive PID: running and not a zombie (a killed service stays one until PID 1 reaps it).
alive() {
  local state
  state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# wait_gone SECONDS PID...: true once none of them is alive.
wait_gone() {
  local deadline=$((SECONDS + $1)) p
  shift
  while ((SECONDS < deadline)); do
    for p in "$@"; do alive "$p" && break; done
    alive "$p" || return 0
    sleep 0.1
  done
  return 1
}

svc_pid() {
  local pid start
  [[ -f $STATE/$1/pid ]] || return 1
  read -r pid start <"$STATE/$1/pid" || return 1
  [[ -n $pid && $(proc_starttime "$pid") == "$start" ]] && alive "$pid" || return 1
  echo "$pid"
}

svc_running() { svc_pid "$1" >/dev/null; }

# svc_start NAME CMD...: run CMD detached (own session, so it outlives this shell) with its output in
# $STATE/NAME/log. The previous log is kept as log.1.
svc_start() {
  local name=$1 dir=$STATE/$1 pid="" i
  shift
  mkdir -p "$dir"
  [[ -f $dir/log ]] && mv -f "$dir/log" "$dir/log.1"
  printf '%q ' "$@" >"$dir/cmdline"
  rm -f "$dir/pid" "$dir/pid.tmp"
  # The inner shell records its own PID, then becomes the service (exec keeps the PID).
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/pid.tmp" "$@" </dev/null >"$dir/log" 2>&1 &
  for ((i = 0; i < 100; i++)); do
    [[ -s $dir/pid.tmp ]] && pid=$(<"$dir/pid.tmp") && [[ -n $pid ]] && break
    sleep 0.05
  done
  [[ -n $pid ]] || die "$name did not start"
  echo "$pid $(proc_starttime "$pid")" >"$dir/pid"
  rm -f "$dir/pid.tmp"
}

# svc_stop GRACE_SECONDS NAME...: SIGTERM to all of them at once, wait, then SIGKILL stragglers.
svc_stop() {
  local grace=$1 name pid pids=() names=()
  shift
  for name in "$@"; do
    if pid=$(svc_pid "$name"); then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$name")
    fi
    rm -f "$STATE/$name/pid"
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  if ! wait_gone "$grace" "${pids[@]}"; then
    warn "still running after ${grace}s, killing: ${names[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_gone 10 "${pids[@]}" || true
  fi
}

# fail_with_log NAME MESSAGE: the error, with the end of the service's log.
fail_with_log() {
  local name=$1
  shift
  {
    printf 'hack/cluster.sh: %s\n' "$*"
    if [[ -f $STATE/$name/log ]]; then
      printf -- '--- last lines of %s ---\n' "$STATE/$name/log"
      tail -n 25 "$STATE/$name/log"
    fi
  } >&2
  exit 1
}

# wait_ready NAME TIMEOUT CHECK...: run CHECK until it succeeds; fail early when the service dies.
wait_ready() {
  local name=$1 limit=$2 start
  shift 2
  start=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [[ -f $STATE/$name/pid ]] && ! svc_running "$name"; then
      fail_with_log "$name" "$name exited during startup"
    fi
    (($(date +%s) - start < limit)) || fail_with_log "$name" "$name not ready after ${limit}s (check: $*)"
    sleep 0.25
  done
}

# PIDs of processes with an argument containing STRING (fixed string), never this script's own.
pids_with() {
  # The pattern comes from a file, so grep's own command line does not match it.
  grep -lzF -f <(printf '%s\n' "$1") /proc/[0-9]*/cmdline 2>/dev/null |
    awk -F/ -v me="$$" -v sub_="$BASHPID" '$3 != me && $3 != sub_ { print $3 }' || true
}

# Daemons of this environment still running with our state directory on their command line (a
# shell or editor looking at a file there is left alone).
own_leftovers() {
  local p
  for p in $(pids_with "$STATE/"); do
    case $(cat "/proc/$p/comm" 2>/dev/null) in
    containerd* | dockerd | docker-proxy | runc | etcd | kube-* | kubelet | metrics-server | docker-registry) echo "$p" ;;
    esac
  done
}

kill_pids() {
  local sig=$1
  shift
  if [[ $# -gt 0 ]]; then kill "-$sig" "$@" 2>/dev/null || true; fi
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

# A TCP port must be free before its service starts, or the error names the port, not a timeout.
require_port() {
  port_free "$1" && return 0
  die "port $1 (for $2) is already in use: $(ss -Hltnp "sport = :$1" | head -1)"
}

# --- Host state ------------------------------------------------------------------------------------
# The first `up` records the host's own values; a later `up` (after a crash) must not overwrite them
# with values the kubelet already changed, so the snapshot is only taken when none exists.
host_save() {
  local dir=$STATE/host k v
  mkdir -p "$dir"
  if [[ ! -s $dir/sysctl.saved ]]; then
    for k in "${HOST_SYSCTLS[@]}"; do
      v=$(sysctl -n "$k" 2>/dev/null) && printf '%s=%s\n' "$k" "$v"
    done >"$dir/sysctl.saved.tmp"
    mv "$dir/sysctl.saved.tmp" "$dir/sysctl.saved"
  fi
  if [[ ! -s $dir/forward-policy.saved ]]; then
    iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" { print $3 }' >"$dir/forward-policy.saved"
  fi
  # iptables-nft creates its tables on first use; the ones that did not exist are dropped again.
  if [[ ! -f $dir/nft-tables.saved ]]; then
    nft list tables >"$dir/nft-tables.saved" 2>/dev/null || true
  fi
}

# Tables of iptables that appeared since `up` and hold nothing but ACCEPT policies.
remove_new_empty_tables() {
  local saved=$STATE/host/nft-tables.saved fam name ipt
  [[ -f $saved ]] && command -v nft >/dev/null || return 0
  nft list tables 2>/dev/null | while read -r _ fam name; do
    grep -qxF "table $fam $name" "$saved" && continue
    case $fam in ip) ipt=iptables ;; ip6) ipt=ip6tables ;; *) continue ;; esac
    case $name in filter | nat | mangle | raw | security) ;; *) continue ;; esac
    if ! "$ipt" -w -t "$name" -S 2>/dev/null | grep -qvE '^-P [A-Z]+ ACCEPT$'; then
      nft delete table "$fam" "$name" 2>/dev/null || true
    fi
  done
  rm -f "$saved"
}

host_restore_sysctls() {
  local f=$STATE/host/sysctl.saved k v
  [[ -s $f ]] || return 0
  while IFS='=' read -r k v; do
    [[ $(sysctl -n "$k" 2>/dev/null) == "$v" ]] || sysctl -qw "$k=$v" || warn "could not restore $k=$v"
  done <"$f"
  rm -f "$f"
}

# Only when it differs: setting it would create the filter table again.
restore_forward_policy() {
  local saved=$STATE/host/forward-policy.saved policy
  policy=$(cat "$saved" 2>/dev/null || true)
  if [[ -n $policy ]] && ! iptables -w -S FORWARD 2>/dev/null | grep -qxF -- "-P FORWARD $policy"; then
    iptables -w -P FORWARD "$policy"
  fi
  rm -f "$saved"
}

# ipt_sweep IPTABLES: delete every rule that jumps to one of our chains, then the chains themselves.
ipt_sweep() {
  local ipt=$1 table rule chains c
  for table in filter nat mangle raw; do
    "$ipt" -w -t "$table" -S >/dev/null 2>&1 || continue
    "$ipt" -w -t "$table" -S | awk -v re="$OWN_CHAINS" '$1 == "-A" && $2 !~ re && / -j (KUBE|CNI|MICROSTACK)-/' |
      while read -r rule; do
        # iptables -S quotes comments the way a shell would: eval turns the line back into words.
        eval "\"$ipt\" -w -t $table -D ${rule#-A }" || true
      done
    chains=$("$ipt" -w -t "$table" -S | awk -v re="$OWN_CHAINS" '$1 == "-N" && $2 ~ re { print $2 }')
    for c in $chains; do "$ipt" -w -t "$table" -F "$c" || true; done
    for c in $chains; do "$ipt" -w -t "$table" -X "$c" || true; done
  done
}

# ipset_sweep: destroy our sets (after ipt_sweep: a set that a rule still uses cannot be destroyed).
ipset_sweep() {
  local set
  command -v ipset >/dev/null || return 0
  # grep, not awk: Debian's mawk has no {n} intervals.
  for set in $(ipset list -n 2>/dev/null | grep -E "$OWN_IPSETS" || true); do
    ipset destroy "$set" 2>/dev/null || warn "could not destroy ipset $set"
  done
}

# unmount_under DIR: every mount at or below DIR, deepest first.
unmount_under() {
  local dir=$1 m
  [[ -d $dir ]] || return 0
  dir=$(readlink -f "$dir")
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || warn "could not unmount $m"
    done
}

# Pod network namespaces are bind-mounted under /run/netns by the CRI plugin. Ours are the ones
# holding a pod address, or empty orphans left by a sandbox whose network setup never finished.
remove_pod_netns() {
  local ns name prefix=${CLUSTER_CIDR%.0.0/16}.
  for ns in /run/netns/cni-*; do
    [[ -e $ns ]] || continue
    name=${ns##*/}
    if ip -n "$name" -4 -o addr show 2>/dev/null | grep -qF " $prefix" ||
      { [[ -z $(ip netns pids "$name" 2>/dev/null) ]] &&
        [[ $(ip -n "$name" -o link show 2>/dev/null | grep -vc ': lo:') == 0 ]]; }; then
      umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
      rm -f "$ns"
    fi
  done
}

# Everything still running inside the node's pod cgroups (cgroupfs driver: /kubepods/...).
kill_pod_processes() {
  local d pids
  for d in /sys/fs/cgroup/pids/kubepods /sys/fs/cgroup/memory/kubepods; do
    [[ -d $d ]] || continue
    pids=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
    # shellcheck disable=SC2086 # one PID per word
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
    break
  done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/microstack-docker; do
    if [[ -d $d ]]; then find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
}

# --- Preflight -------------------------------------------------------------------------------------
ip_to_int() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# cidrs_overlap A/n B/m
cidrs_overlap() {
  local a=${1%/*} an=${1#*/} b=${2%/*} bn=${2#*/} n
  n=$((an < bn ? an : bn))
  local mask=$(((0xffffffff << (32 - n)) & 0xffffffff))
  (($(($(ip_to_int "$a") & mask)) == $(($(ip_to_int "$b") & mask))))
}

# The pod and service ranges must not collide with any network this machine already routes
# (routes through our own bridge are ours), nor with its DNS servers.
check_cidrs() {
  local route dst ns ours
  while read -r route; do
    [[ $route == *"dev $BRIDGE"* ]] && continue
    dst=${route%% *}
    [[ $dst == default ]] && continue
    [[ $dst == */* ]] || dst=$dst/32
    [[ $route == *"dev $DOCKER_BRIDGE"* ]] && continue
    for ours in "$CLUSTER_CIDR" "$SERVICE_CIDR" "$DOCKER_CIDR"; do
      cidrs_overlap "$dst" "$ours" && die "$ours overlaps the machine's route '$route'"
    done
  done < <(ip -4 route show table all | grep -vE '^(local|broadcast|unreachable|multicast) ')
  while read -r ns; do
    for ours in "$CLUSTER_CIDR" "$SERVICE_CIDR" "$DOCKER_CIDR"; do
      cidrs_overlap "$ns/32" "$ours" && die "$ours contains the DNS server $ns"
    done
  done < <(awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ { print $2 }' /etc/resolv.conf)
  return 0
}

# preflight LAST_STEP_INDEX: only the binaries of the steps that will run are needed.
preflight() {
  local i bins=()
  [[ $(id -u) == 0 ]] || die "must run as root (it starts a kubelet, containerd and dockerd)"
  for ((i = 0; i <= $1; i++)); do
    case ${UP_STEPS[$i]} in
    etcd | kube-* | kubelet | metrics-server) bins+=("${UP_STEPS[$i]}") ;;
    # Their images hold the tool's binary.
    traefik | prometheus) bins+=("${UP_STEPS[$i]}") ;;
    network-policy) bins+=(kube-router) ;;
    esac
  done
  ensure_tools "${bins[@]}"
  check_cidrs
}

# --- registry ----------------------------------------------------------------------------------------
# registry_config DIR LISTEN [EXTRA]: a distribution config with filesystem storage under DIR/data,
# listening on LISTEN, with the YAML lines EXTRA (an auth section) added.
registry_config() {
  local dir=$1 listen=$2 extra=${3:-}
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $listen
  headers:
    X-Content-Type-Options: [nosniff]
$extra
EOF
}

start_registry() {
  registry_config "$STATE/registry" "$REGISTRY_LISTEN"
  require_port "${REGISTRY_LISTEN##*:}" registry
  svc_start registry docker-registry serve "$STATE/registry/config.yml"
  wait_ready registry 30 curl -fsS "http://$REGISTRY_LISTEN/v2/"
}

# The private registry: the same server with its own storage, behind a bcrypt htpasswd login whose
# password is made once and kept in $STATE/registry-private/password (`env` exports its path).
start_private_registry() {
  local dir=$STATE/registry-private
  mkdir -p "$dir"
  [[ -s $dir/password ]] || (umask 077 && openssl rand -hex 16 >"$dir/password")
  htpasswd -Bbn "$PRIVATE_REGISTRY_USER" "$(<"$dir/password")" >"$dir/htpasswd"
  registry_config "$dir" "$PRIVATE_REGISTRY_LISTEN" "auth:
  htpasswd:
    realm: microstack-private
    path: $dir/htpasswd"
  require_port "${PRIVATE_REGISTRY_LISTEN##*:}" registry-private
  svc_start registry-private docker-registry serve "$dir/config.yml"
  wait_ready registry-private 30 curl -fsS -u "$PRIVATE_REGISTRY_USER:$(<"$dir/password")" "http://$PRIVATE_REGISTRY_LISTEN/v2/"
}

# --- Docker engine ---------------------------------------------------------------------------------
# Its own data/exec roots, socket and pid file. Its bridge is one we create, and it writes no
# iptables rules itself: one masquerade rule of ours lets build steps reach the Go module proxy, and
# both go away on `down` with the rest of our chains. Published ports bind to loopback only.
# Loopback registries such as localhost:5001 are plain HTTP by default.
setup_docker_network() {
  ip link show "$DOCKER_BRIDGE" >/dev/null 2>&1 || ip link add "$DOCKER_BRIDGE" type bridge
  ip addr replace "$DOCKER_GW/${DOCKER_CIDR#*/}" dev "$DOCKER_BRIDGE"
  ip link set "$DOCKER_BRIDGE" up
  sysctl -qw net.ipv4.ip_forward=1
  iptables -w -t nat -N MICROSTACK-DOCKER 2>/dev/null || true
  iptables -w -t nat -F MICROSTACK-DOCKER
  iptables -w -t nat -A MICROSTACK-DOCKER -s "$DOCKER_CIDR" ! -o "$DOCKER_BRIDGE" -j MASQUERADE
  iptables -w -t nat -C POSTROUTING -j MICROSTACK-DOCKER 2>/dev/null ||
    iptables -w -t nat -A POSTROUTING -j MICROSTACK-DOCKER
  iptables -w -N MICROSTACK-DOCKER 2>/dev/null || true
  iptables -w -F MICROSTACK-DOCKER
  iptables -w -A MICROSTACK-DOCKER -i "$DOCKER_BRIDGE" -j ACCEPT
  iptables -w -A MICROSTACK-DOCKER -o "$DOCKER_BRIDGE" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  iptables -w -C FORWARD -j MICROSTACK-DOCKER 2>/dev/null || iptables -w -A FORWARD -j MICROSTACK-DOCKER
}

start_docker() {
  local dir=$STATE/docker
  mkdir -p "$dir/data" "$dir/exec" "$STATE/bin"
  setup_docker_network
  # Stale files from a crash: dockerd refuses a pid file with a live PID, and the managed containerd's
  # pid file could name an unrelated process by now.
  rm -f "$dir/docker.pid" "$dir/exec/containerd/containerd.pid" "$DOCKER_SOCK"
  # The shell gets Debian's client first on PATH (see `env`).
  ln -sfn "$DOCKER_CLI" "$STATE/bin/docker"
  svc_start docker dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    -H "unix://$DOCKER_SOCK" --config-file "$dir/daemon.json" \
    --bridge "$DOCKER_BRIDGE" --iptables=false --ip-forward=false --ip-masq=false --ip 127.0.0.1 \
    --cgroup-parent /microstack-docker --storage-driver overlay2 --log-level warn
}

# BuildKit by default; the engine's identity key in its own directory instead of /etc/docker.
write_docker_config() {
  mkdir -p "$STATE/docker"
  printf '{"features": {"buildkit": true}, "deprecated-key-path": "%s"}\n' "$STATE/docker/key.json" \
    >"$STATE/docker/daemon.json"
}

docker_ping() { curl -fsS --unix-socket "$DOCKER_SOCK" http://docker/_ping; }

# --- Base images -----------------------------------------------------------------------------------
build_images() {
  DOCKER_HOST=unix://$DOCKER_SOCK MICROSTACK_STATE=$STATE "$ROOT/hack/images.sh" base
}

sandbox_image() { MICROSTACK_STATE=$STATE "$ROOT/hack/images.sh" ref pause; }

# --- PKI (made once, then reused) ------------------------------------------------------------------
# new_key FILE: ECDSA P-256, quick to make and accepted by every component.
new_key() { [[ -s $1 ]] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

new_ca() {
  local name=$1 cn=$2
  [[ -s $PKI/$name.crt ]] && return 0
  new_key "$PKI/$name.key"
  openssl req -x509 -new -key "$PKI/$name.key" -subj "/CN=$cn" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$name.crt"
}

# new_cert NAME SUBJECT USAGE [SAN] [CA]: USAGE is serverAuth, clientAuth or both.
new_cert() {
  local name=$1 subject=$2 usage=$3 san=${4:-} ca=${5:-ca}
  [[ -s $PKI/$name.crt ]] && return 0
  new_key "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -z $san ]] || echo "subjectAltName=$san"
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -CAserial "$PKI/$ca.srl" -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  new_ca ca microstack-ca
  # The aggregation layer's client identity gets a CA of its own, trusted only for that.
  new_ca front-proxy-ca microstack-front-proxy-ca
  new_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:$NODE_IP,IP:127.0.0.1,IP:$API_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  new_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  new_cert front-proxy-client "/CN=front-proxy-client" clientAuth "" front-proxy-ca
  new_cert admin "/O=system:masters/CN=microstack-admin" clientAuth
  new_cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
  new_cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
  new_cert kube-proxy "/CN=system:kube-proxy" clientAuth
  new_cert kube-router "/CN=microstack:kube-router" clientAuth
  new_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  new_cert kubelet-serving "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
  new_cert metrics-server "/CN=system:metrics-server" serverAuth,clientAuth \
    "IP:$NODE_IP,DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.cluster.local"
  # Service-account tokens: a key pair of its own.
  new_key "$PKI/sa.key"
  [[ -s $PKI/sa.pub ]] || openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  make_kubeconfig "$KUBECONFIG_ADMIN" admin microstack-admin
  local c
  for c in kube-controller-manager kube-scheduler kube-proxy kubelet metrics-server; do
    make_kubeconfig "$STATE/$c/kubeconfig" "$c" "$c"
  done
  make_kubeconfig "$STATE/network-policy/kubeconfig" kube-router microstack:kube-router
}

b64() { base64 -w0 <"$1"; }

# make_kubeconfig FILE CERT USER: certificates embedded, context microstack-local.
make_kubeconfig() {
  local file=$1 cert=$2 user=$3
  # Kept while it is newer than its certificate.
  [[ -s $file && $file -nt $PKI/$cert.crt ]] && return 0
  mkdir -p "$(dirname "$file")"
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CONTEXT
  cluster:
    server: https://$NODE_IP:$API_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(b64 "$PKI/$cert.crt")
    client-key-data: $(b64 "$PKI/$cert.key")
contexts:
- name: $CONTEXT
  context:
    cluster: $CONTEXT
    user: $user
current-context: $CONTEXT
EOF
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}

# --- Node network --------------------------------------------------------------------------------
# The bridge exists before anything listens on the node address. The CNI bridge plugin adopts it.
# The service range is routed onto the bridge, so a ClusterIP without rules (yet) goes nowhere
# instead of out through the default gateway; the guard chain drops anything pods send off the node.
setup_network() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/${NODE_POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
  iptables -w -N MICROSTACK-GUARD 2>/dev/null || true
  iptables -w -F MICROSTACK-GUARD
  iptables -w -A MICROSTACK-GUARD -s "$CLUSTER_CIDR" ! -o "$BRIDGE" -j DROP \
    -m comment --comment "microstack: pod traffic stays on this machine"
  iptables -w -C FORWARD -j MICROSTACK-GUARD 2>/dev/null || iptables -w -I FORWARD 1 -j MICROSTACK-GUARD
}

# --- etcd ----------------------------------------------------------------------------------------
start_etcd() {
  local dir=$STATE/etcd
  mkdir -p "$dir/data"
  chmod 700 "$dir/data"
  require_port "$ETCD_CLIENT_PORT" etcd
  require_port "$ETCD_PEER_PORT" etcd
  svc_start etcd "$(tool etcd)" --name microstack --data-dir "$dir/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "microstack=http://127.0.0.1:$ETCD_PEER_PORT" \
    --log-level warn
  wait_ready etcd 60 etcd_healthy
}

etcd_healthy() { curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'; }

# --- Control plane ---------------------------------------------------------------------------------
# Bound to the node address (reachable from pods through the kubernetes Service) and advertised
# there; the lease reconciler keeps the kubernetes Endpoints at that address.
start_apiserver() {
  local dir=$STATE/kube-apiserver
  mkdir -p "$dir"
  require_port "$API_PORT" kube-apiserver
  svc_start kube-apiserver "$(tool kube-apiserver)" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
    --endpoint-reconciler-type lease \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --cert-dir "$dir/certs" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User \
    --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" \
    --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --profiling=false
  wait_ready kube-apiserver 90 api_get /readyz
}

# api_get PATH: an admin request straight to the API server.
api_get() {
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://$NODE_IP:$API_PORT$1"
}

kc() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" --request-timeout 20s "$@"; }

# Single instances: no leader election, so a restart never waits for a stale lease to expire.
# The autoscaler reacts within seconds and gives replicas back after 30s of low load rather than the
# default 5 minutes, so that a scale-up and its scale-down can both be watched in a test.
start_controller_manager() {
  local dir=$STATE/kube-controller-manager kubeconfig=$STATE/kube-controller-manager/kubeconfig
  mkdir -p "$dir/flexvolume"
  require_port 10257 kube-controller-manager
  svc_start kube-controller-manager "$(tool kube-controller-manager)" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" \
    --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10257 --cert-dir "$dir/certs" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size 24 \
    --flex-volume-plugin-dir "$dir/flexvolume" \
    --horizontal-pod-autoscaler-sync-period 5s \
    --horizontal-pod-autoscaler-downscale-stabilization 30s \
    --profiling=false
  wait_ready kube-controller-manager 60 curl -fsSk https://127.0.0.1:10257/healthz
}

start_scheduler() {
  local dir=$STATE/kube-scheduler kubeconfig=$STATE/kube-scheduler/kubeconfig
  mkdir -p "$dir"
  require_port 10259 kube-scheduler
  svc_start kube-scheduler "$(tool kube-scheduler)" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" \
    --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 10259 --cert-dir "$dir/certs" \
    --leader-elect=false --profiling=false
  wait_ready kube-scheduler 60 curl -fsSk https://127.0.0.1:10259/healthz
}

# metrics-server runs on the host: a selector-less Service with a hand-written EndpointSlice points
# at the node address, and the APIService registers it with the aggregation layer.
apply_addons() {
  local apply_log=$STATE/kube-apiserver/addons.log
  if ! kc apply --server-side --force-conflicts --field-manager microstack -f - >"$apply_log" 2>&1 <<EOF; then
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:metrics-server
rules:
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
- apiGroups: [""]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:metrics-server
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:metrics-server}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: metrics-server:system:auth-delegator
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:auth-delegator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: metrics-server-auth-reader
  namespace: kube-system
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: extension-apiserver-authentication-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:metrics-server}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:aggregated-metrics-reader
  labels:
    rbac.authorization.k8s.io/aggregate-to-view: "true"
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
    rbac.authorization.k8s.io/aggregate-to-admin: "true"
rules:
- apiGroups: [metrics.k8s.io]
  resources: [pods, nodes]
  verbs: [get, list, watch]
---
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels: {app.kubernetes.io/name: metrics-server, app.kubernetes.io/part-of: microstack-local}
spec:
  ports:
  - {name: https, port: 443, protocol: TCP, targetPort: $METRICS_PORT}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: metrics-server-host
  namespace: kube-system
  labels:
    kubernetes.io/service-name: metrics-server
    endpointslice.kubernetes.io/managed-by: microstack-local
addressType: IPv4
endpoints:
- addresses: ["$NODE_IP"]
  conditions: {ready: true}
ports:
- {name: https, port: $METRICS_PORT, protocol: TCP}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: 443}
  caBundle: $(b64 "$PKI/ca.crt")
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
    fail_with_log kube-apiserver "could not apply the cluster add-ons: $(cat "$apply_log")"
  fi
}

# --- containerd (the node's own instance) ------------------------------------------------------------
# CRI with cgroupfs, the locally built pause image, and no OOM-score changes: this machine lacks
# CAP_SYS_RESOURCE, and runc fails ("can't get final child's PID from pipe") when they are attempted.
write_containerd_config() {
  local dir=$STATE/containerd sandbox=$1 host
  mkdir -p "$dir/root" "$dir/state" "$dir/runc" "$dir/opt" "$dir/certs.d" "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$sandbox"
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_unprivileged_ports = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$dir/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
EOF
  # The local registries speak plain HTTP, under either name.
  for host in "$REGISTRY" "$REGISTRY_LISTEN" "$PRIVATE_REGISTRY" "$PRIVATE_REGISTRY_LISTEN"; do
    mkdir -p "$dir/certs.d/$host"
    cat >"$dir/certs.d/$host/hosts.toml" <<EOF
server = "http://$host"

[host."http://$host"]
  capabilities = ["pull", "resolve"]
EOF
  done
}

# bridge + host-local + loopback + portmap from Debian's plugins; IPAM state kept in our state dir.
write_cni_config() {
  cat >"$STATE/cni/net.d/10-microstack.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "microstack",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$NODE_POD_CIDR", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

# Leftovers of a crashed node (no containerd, no shims): container processes, mounts under the
# kubelet and containerd directories, pod network namespaces, sockets.
node_leftovers_cleanup() {
  local shims
  mapfile -t shims < <(pids_with "$CONTAINERD_SOCK")
  kill_pids KILL "${shims[@]}"
  kill_pod_processes
  unmount_under "$STATE/kubelet"
  unmount_under "$STATE/containerd"
  remove_pod_netns
  rm -f "$CONTAINERD_SOCK" "$CONTAINERD_SOCK.ttrpc"
}

start_containerd() {
  write_containerd_config "$(sandbox_image)"
  write_cni_config
  if ! svc_running containerd; then node_leftovers_cleanup; fi
  svc_start containerd containerd --config "$STATE/containerd/config.toml" --log-level warn
  wait_ready containerd 30 ctr --address "$CONTAINERD_SOCK" version
}

# --- kubelet ---------------------------------------------------------------------------------------
# cgroup v1 needs failCgroupV1: false; swap and kernel defaults are not enforced on a dev machine.
start_kubelet() {
  local dir=$STATE/kubelet
  mkdir -p "$dir/root" "$dir/pod-logs" "$dir/certs"
  cat >"$dir/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
rotateCertificates: false
serverTLSBootstrap: false
podLogsDir: $dir/pod-logs
resolvConf: /etc/resolv.conf
serializeImagePulls: false
registerNode: true
# On a restart the first status is posted before the pod lifecycle loop has run once (NotReady);
# a short period brings Ready seconds sooner. Cheap on a single node.
nodeStatusUpdateFrequency: 3s
# A changed ConfigMap reaches the pods that mount it at the next pod sync: 10 s instead of 1 min
# (the local Prometheus reads its rule files so). Cheap on a single node.
syncFrequency: 10s
evictionHard:
  memory.available: 200Mi
  nodefs.available: 5%
  nodefs.inodesFree: 5%
  imagefs.available: 5%
EOF
  require_port 10250 kubelet
  svc_start kubelet "$(tool kubelet)" \
    --config "$dir/config.yaml" --kubeconfig "$dir/kubeconfig" \
    --root-dir "$dir/root" --cert-dir "$dir/certs" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v 1
  wait_ready kubelet 60 curl -fsS http://127.0.0.1:10248/healthz
  wait_ready kubelet 90 node_ready
}

node_ready() {
  [[ $(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

# --- kube-proxy ------------------------------------------------------------------------------------
# NodePorts only on the node address (not eth0), no route_localnet and no conntrack sysctl changes.
start_kube_proxy() {
  local dir=$STATE/kube-proxy
  mkdir -p "$dir"
  cat >"$dir/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $CLUSTER_CIDR
hostnameOverride: $NODE_NAME
clientConnection:
  kubeconfig: $dir/kubeconfig
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
iptables:
  localhostNodePorts: false
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  require_port 10256 kube-proxy
  svc_start kube-proxy "$(tool kube-proxy)" --config "$dir/config.yaml" --v 1
  wait_ready kube-proxy 60 curl -fsS http://127.0.0.1:10256/healthz
}

# --- NetworkPolicy enforcement (kube-router, local cluster only) ------------------------------------
# The bridge CNI enforces no NetworkPolicy, so kube-router's policy controller runs alone beside it:
# no router (no BGP; routes, the node's podCIDR and the CNI config are not used or touched) and no
# service proxy (kube-proxy has that job). It works in the filter table only: a jump to
# KUBE-ROUTER-{INPUT,FORWARD,OUTPUT} at the top of each built-in chain, a KUBE-POD-FW-* chain per
# local pod, a KUBE-NWPLCY-* chain per policy and KUBE-SRC-*/KUBE-DST-* ipsets, swept by `down`
# (ipt_sweep, ipset_sweep). Each sync saves and rewrites the whole filter table (iptables-restore).
# Denied packets are REJECTed. Traffic whose source is a local address (the kubelet's probes, the
# host itself, hostPort DNAT from the host) is always let in. Its health server cannot be bound to an
# address (it listens on every interface), so it is off; the metrics server, bound to loopback,
# serves /healthz from the same handlers. kube-router v2.1.0 has reported security problems: a
# tool of this test environment, never a dependency of the product.
NETWORK_POLICY_METRICS_PORT=20241

start_network_policy() {
  local dir=$STATE/network-policy
  mkdir -p "$dir"
  network_policy_rbac
  # Pod-to-pod packets are bridged: they reach iptables only through br_netfilter. kube-router's
  # router (off here) is what would set this; HOST_SYSCTLS saves and restores it.
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] ||
    die "br_netfilter is not loaded: traffic between pods on $BRIDGE would bypass NetworkPolicy"
  sysctl -qw net.bridge.bridge-nf-call-iptables=1
  guard_before_network_policy
  require_port "$NETWORK_POLICY_METRICS_PORT" network-policy
  svc_start network-policy "$(tool kube-router)" \
    --kubeconfig "$dir/kubeconfig" --hostname-override "$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --enable-ipv4=true --enable-ipv6=false \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --health-port 0 --metrics-addr 127.0.0.1 --metrics-port "$NETWORK_POLICY_METRICS_PORT" \
    --v 1
  wait_ready network-policy 60 curl -fsS "http://127.0.0.1:$NETWORK_POLICY_METRICS_PORT/healthz"
  # Policies are enforced once the first full sync has written the rules.
  wait_ready network-policy 60 network_policy_synced
}

network_policy_synced() {
  curl -fsS --max-time 3 "http://127.0.0.1:$NETWORK_POLICY_METRICS_PORT/metrics" |
    awk '$1 == "kube_router_controller_iptables_sync_time_count" && $2 >= 1 { ok = 1 } END { exit !ok }'
}

# Read-only. The controller uses pods, namespaces and policies, reads its node at start (for the
# node address that tells local pods apart), and its shared informer factory also starts services,
# endpoints, endpointslices and nodes: each must sync, or it exits.
network_policy_rbac() {
  apply_manifest network-policy <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: microstack:kube-router
  labels: {app.kubernetes.io/name: kube-router, app.kubernetes.io/part-of: microstack-local}
rules:
- apiGroups: [""]
  resources: [pods, namespaces, nodes, services, endpoints]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: microstack:kube-router
  labels: {app.kubernetes.io/name: kube-router, app.kubernetes.io/part-of: microstack-local}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: microstack:kube-router}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: microstack:kube-router}
EOF
}

# kube-router keeps its FORWARD jump at position 1 and ACCEPTs there what passed the policies, so
# the filter table's MICROSTACK-GUARD (setup_network) no longer sees pod traffic. The same guard in
# mangle FORWARD, which kube-router never writes and which runs before filter, keeps pods on the node.
guard_before_network_policy() {
  iptables -w -t mangle -N MICROSTACK-GUARD 2>/dev/null || true
  iptables -w -t mangle -F MICROSTACK-GUARD
  iptables -w -t mangle -A MICROSTACK-GUARD -s "$CLUSTER_CIDR" ! -o "$BRIDGE" -j DROP \
    -m comment --comment "microstack: pod traffic stays on this machine"
  iptables -w -t mangle -C FORWARD -j MICROSTACK-GUARD 2>/dev/null ||
    iptables -w -t mangle -I FORWARD 1 -j MICROSTACK-GUARD
}

# --- metrics-server ---------------------------------------------------------------------------------
start_metrics_server() {
  local dir=$STATE/metrics-server kubeconfig=$STATE/metrics-server/kubeconfig
  mkdir -p "$dir/certs"
  require_port "$METRICS_PORT" metrics-server
  svc_start metrics-server "$(tool metrics-server)" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" \
    --authorization-kubeconfig "$kubeconfig" \
    --bind-address "$NODE_IP" --secure-port "$METRICS_PORT" --cert-dir "$dir/certs" \
    --tls-cert-file "$PKI/metrics-server.crt" --tls-private-key-file "$PKI/metrics-server.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/metrics-server.crt" \
    --kubelet-client-key "$PKI/metrics-server.key" \
    --kubelet-preferred-address-types InternalIP --kubelet-use-node-status-port \
    --metric-resolution 10s --kubelet-request-timeout 5s
  # Not /readyz: it stays failing until some pod has metrics, which an empty cluster never has.
  # The metrics API itself is checked by wait_cluster (kubectl top node).
  wait_ready metrics-server 60 curl -fsSk "https://$NODE_IP:$METRICS_PORT/livez"
}

# --- Add-ons run as pods: Traefik (ingress) and Prometheus (monitoring) --------------------------------
# Deployments of images built here (hack/images.sh traefik|prometheus), reached from the host through
# hostPorts on the node address: the CNI portmap plugin DNATs them in PREROUTING and, for the host's
# own connections, in OUTPUT; nothing listens on eth0. One replica each, replaced with Recreate: a
# surge pod could never be scheduled while the old one holds the host ports. There is no cluster DNS:
# the pods reach the API server at the kubernetes Service's address from their environment.

# addon_image NAME: build and push the image when its inputs changed, print its reference.
addon_image() {
  DOCKER_HOST=unix://$DOCKER_SOCK MICROSTACK_STATE=$STATE "$ROOT/hack/images.sh" "$1" ||
    die "could not build the $1 image (hack/images.sh $1)"
}

# apply_manifest NAME: server-side apply of stdin, the output kept in $STATE/NAME/apply.log.
apply_manifest() {
  local out=$STATE/$1/apply.log
  mkdir -p "$STATE/$1"
  kc apply --server-side --force-conflicts --field-manager microstack -f - >"$out" 2>&1 ||
    die "could not apply the $1 manifests: $(cat "$out")"
}

# fail_with_pods NAMESPACE APP MESSAGE: the error, the pods, the namespace's latest events and the
# end of the pods' logs (of the previous run too, when a container crashed).
fail_with_pods() {
  local ns=$1 sel=app.kubernetes.io/name=$2
  shift 2
  {
    printf 'hack/cluster.sh: %s\n' "$*"
    printf -- '--- pods (%s, namespace %s) ---\n' "$sel" "$ns"
    kc get pods -n "$ns" -l "$sel" -o wide 2>&1 || true
    printf -- '--- latest events of namespace %s ---\n' "$ns"
    kc get events -n "$ns" --sort-by .lastTimestamp 2>&1 | tail -n 10 || true
    printf -- '--- last lines of the pod logs ---\n'
    kc logs -n "$ns" -l "$sel" --all-containers --prefix --tail 25 2>&1 || true
    kc logs -n "$ns" -l "$sel" --all-containers --prefix --tail 25 --previous 2>/dev/null || true
  } >&2
  exit 1
}

# addon_stuck NAMESPACE APP: prints the reason when no waiting will help (a bad image or
# configuration, or a container that keeps crashing).
addon_stuck() {
  kc get pods -n "$1" -l "app.kubernetes.io/name=$2" \
    -o jsonpath='{range .items[*].status.containerStatuses[*]}{.state.waiting.reason} {.restartCount}{"\n"}{end}' 2>/dev/null |
    awk '$1 ~ /^(ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError)$/ ||
      ($1 == "CrashLoopBackOff" && $2 >= 3) { print $1; found = 1 } END { exit !found }'
}

# wait_addon NAMESPACE APP TIMEOUT CHECK...: run CHECK until it succeeds; fail early on a stuck pod.
wait_addon() {
  local ns=$1 app=$2 limit=$3 deadline reason
  shift 3
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if reason=$(addon_stuck "$ns" "$app"); then fail_with_pods "$ns" "$app" "$app cannot start ($reason)"; fi
    ((SECONDS < deadline)) || fail_with_pods "$ns" "$app" "$app not ready after ${limit}s (check: $*)"
    sleep 0.5
  done
}

# deployment_ready NAMESPACE NAME: the current spec is rolled out and all its replicas are ready.
deployment_ready() {
  local gen obs want updated ready total
  read -r gen obs want updated ready total < <(kc get deployment "$2" -n "$1" -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.spec.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.replicas}')
  [[ -n $gen && $gen == "$obs" && $updated == "$want" && $ready == "$want" && $total == "$want" ]]
}

# http_code [CURL_ARGS...] URL: the status of a GET, 000 when nothing answers.
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@" || true; }

# addon_identity NAME NS: an add-on's namespace, its ServiceAccount NAME, and the binding of that
# account to the ClusterRole microstack:NAME, which the add-on's manifest declares.
addon_identity() {
  local name=$1 ns=$2
  cat <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
  labels: {app.kubernetes.io/part-of: microstack-local}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $name
  namespace: $ns
  labels: {app.kubernetes.io/name: $name, app.kubernetes.io/part-of: microstack-local}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: microstack:$name
  labels: {app.kubernetes.io/name: $name, app.kubernetes.io/part-of: microstack-local}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: microstack:$name}
subjects:
- {kind: ServiceAccount, name: $name, namespace: $ns}
EOF
}

# --- Traefik -------------------------------------------------------------------------------------------
# The Kubernetes Ingress provider only: it lists and watches ingresses, ingressclasses, services,
# endpointslices and secrets (spec.tls certificates) in every namespace, and nodes (NodePort
# load-balancing); read-only, since no Ingress status is published. The IngressClass is the
# cluster's default, so an Ingress without a class is Traefik's too. Entry points: web (8000) and
# websecure (8443, TLS with the Ingresses' certificates, else Traefik's own default one) take every
# router; the internal one (8080, not on the host) serves /ping for the probes and /metrics.
# No version check or usage report: this machine has no internet. Access logs stay off.
start_traefik() {
  local image ns=$INGRESS_NAMESPACE
  image=$(addon_image traefik)
  apply_manifest traefik <<EOF
$(addon_identity traefik "$ns")
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: microstack:traefik
  labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/part-of: microstack-local}
rules:
- apiGroups: [""]
  resources: [services, secrets, nodes]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, ingressclasses]
  verbs: [get, list, watch]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: $INGRESS_CLASS
  labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/part-of: microstack-local}
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: traefik.io/ingress-controller
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: traefik
  namespace: $ns
  labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/part-of: microstack-local}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector:
    matchLabels: {app.kubernetes.io/name: traefik}
  template:
    metadata:
      labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/part-of: microstack-local}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "8080"
        prometheus.io/path: /metrics
    spec:
      serviceAccountName: traefik
      enableServiceLinks: false
      # No cluster DNS: the node's resolver, without the kubelet's warning event on every start.
      dnsPolicy: Default
      terminationGracePeriodSeconds: 15
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: traefik
        image: $image
        args:
        - --global.checkNewVersion=false
        - --global.sendAnonymousUsage=false
        - --log.level=INFO
        - --log.noColor=true
        - --entryPoints.web.address=:8000
        - --entryPoints.web.asDefault=true
        - --entryPoints.websecure.address=:8443
        - --entryPoints.websecure.asDefault=true
        - --entryPoints.websecure.http.tls=true
        - --entryPoints.traefik.address=:8080
        - --ping=true
        - --metrics.prometheus=true
        - --providers.kubernetesIngress=true
        ports:
        - {name: web, containerPort: 8000, hostPort: $INGRESS_HTTP_PORT, hostIP: $NODE_IP, protocol: TCP}
        - {name: websecure, containerPort: 8443, hostPort: $INGRESS_HTTPS_PORT, hostIP: $NODE_IP, protocol: TCP}
        - {name: traefik, containerPort: 8080, protocol: TCP}
        readinessProbe:
          httpGet: {path: /ping, port: traefik}
          periodSeconds: 2
          failureThreshold: 2
        livenessProbe:
          httpGet: {path: /ping, port: traefik}
          periodSeconds: 10
          failureThreshold: 3
        resources:
          requests: {cpu: 50m, memory: 64Mi}
          limits: {memory: 256Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
      volumes:
      - {name: tmp, emptyDir: {sizeLimit: 64Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: traefik
  namespace: $ns
  labels: {app.kubernetes.io/name: traefik, app.kubernetes.io/part-of: microstack-local}
spec:
  selector: {app.kubernetes.io/name: traefik}
  ports:
  - {name: web, port: 80, targetPort: web, protocol: TCP}
  - {name: websecure, port: 443, targetPort: websecure, protocol: TCP}
EOF
  wait_addon "$ns" traefik 120 deployment_ready "$ns" traefik
  # Through the host ports, from the host itself (portmap's OUTPUT rules).
  wait_addon "$ns" traefik 30 traefik_answers
}

# An unknown Host gets the controller's own 404, over HTTP and over HTTPS (its default certificate).
traefik_answers() {
  local host=microstack-readiness.invalid
  [[ $(http_code -H "Host: $host" "http://$NODE_IP:$INGRESS_HTTP_PORT/") == 404 ]] &&
    [[ $(http_code -k --resolve "$host:$INGRESS_HTTPS_PORT:$NODE_IP" "https://$host:$INGRESS_HTTPS_PORT/") == 404 ]]
}

# --- Prometheus ----------------------------------------------------------------------------------------
# Scrapes every Running pod annotated prometheus.io/scrape: "true" (path and port from the
# prometheus.io/path and prometheus.io/port annotations), with the pod's labels, namespace and name.
# Rules come from the ConfigMap prometheus-rules (keys *.yaml), which belongs to whoever writes
# rules: it is created empty once and never applied over. A change is picked up by POST /-/reload
# once the kubelet has refreshed the mounted files (up to about a minute). The TSDB is an emptyDir:
# a new pod starts empty, and a changed configuration rolls the pod (its hash is in the template).
prometheus_config() {
  cat <<'EOF'
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
- /etc/prometheus/rules/*.yaml
scrape_configs:
- job_name: kubernetes-pods
  kubernetes_sd_configs:
  - role: pod
  relabel_configs:
  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
    action: keep
    regex: "true"
  - source_labels: [__meta_kubernetes_pod_phase]
    action: keep
    regex: Running
  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
    action: replace
    regex: (.+)
    target_label: __metrics_path__
  - source_labels: [__meta_kubernetes_pod_ip, __meta_kubernetes_pod_annotation_prometheus_io_port]
    action: replace
    regex: (.+);(\d+)
    replacement: $1:$2
    target_label: __address__
  - action: labelmap
    regex: __meta_kubernetes_pod_label_(.+)
  - source_labels: [__meta_kubernetes_namespace]
    target_label: namespace
  - source_labels: [__meta_kubernetes_pod_name]
    target_label: pod
EOF
}

start_prometheus() {
  local image config ns=$MONITORING_NAMESPACE
  install_monitoring_crds
  image=$(addon_image prometheus)
  config=$(prometheus_config)
  apply_manifest prometheus <<EOF
$(addon_identity prometheus "$ns")
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: microstack:prometheus
  labels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: microstack-local}
rules:
- apiGroups: [""]
  resources: [pods, services, endpoints, namespaces]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- nonResourceURLs: [/metrics]
  verbs: [get]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-config
  namespace: $ns
  labels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: microstack-local}
data:
  prometheus.yml: |
    ${config//$'\n'/$'\n'    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prometheus
  namespace: $ns
  labels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: microstack-local}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector:
    matchLabels: {app.kubernetes.io/name: prometheus}
  template:
    metadata:
      labels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: microstack-local}
      annotations:
        microstack.dev/config-sha256: "$(sha256sum <<<"$config" | cut -c1-16)"
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: prometheus
      enableServiceLinks: false
      # No cluster DNS: the node's resolver, without the kubelet's warning event on every start.
      dnsPolicy: Default
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: prometheus
        image: $image
        args:
        - --config.file=/etc/prometheus/config/prometheus.yml
        - --storage.tsdb.path=/prometheus
        - --storage.tsdb.retention.time=2h
        - --web.listen-address=:9090
        - --web.enable-lifecycle
        ports:
        - {name: http, containerPort: 9090, hostPort: $PROMETHEUS_PORT, hostIP: $NODE_IP, protocol: TCP}
        readinessProbe:
          httpGet: {path: /-/ready, port: http}
          periodSeconds: 2
          failureThreshold: 3
        livenessProbe:
          httpGet: {path: /-/healthy, port: http}
          periodSeconds: 10
          failureThreshold: 6
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 1Gi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        volumeMounts:
        - {name: config, mountPath: /etc/prometheus/config, readOnly: true}
        - {name: rules, mountPath: /etc/prometheus/rules, readOnly: true}
        - {name: data, mountPath: /prometheus}
      volumes:
      - name: config
        configMap: {name: prometheus-config}
      # Optional: the pod never waits on it (it is created right after this apply).
      - name: rules
        configMap: {name: prometheus-rules, optional: true}
      - name: data
        emptyDir: {sizeLimit: 1Gi}
---
apiVersion: v1
kind: Service
metadata:
  name: prometheus
  namespace: $ns
  labels: {app.kubernetes.io/name: prometheus, app.kubernetes.io/part-of: microstack-local}
spec:
  selector: {app.kubernetes.io/name: prometheus}
  ports:
  - {name: http, port: 9090, targetPort: http, protocol: TCP}
EOF
  ensure_prometheus_rules
  wait_addon "$ns" prometheus 120 deployment_ready "$ns" prometheus
  # Through the host port, from the host itself.
  wait_addon "$ns" prometheus 30 curl -fsS --max-time 3 "$PROMETHEUS_URL/-/ready"
}

# Created, never replaced: the tests keep their rules in it.
ensure_prometheus_rules() {
  kc get configmap prometheus-rules -n "$MONITORING_NAMESPACE" >/dev/null 2>&1 ||
    kc create configmap prometheus-rules -n "$MONITORING_NAMESPACE" >/dev/null ||
    die "could not create the ConfigMap $MONITORING_NAMESPACE/prometheus-rules"
}

# The Prometheus Operator's ServiceMonitor and PrometheusRule types, so that stacks can declare them
# (no operator runs: this Prometheus finds pods by their annotations). The manifests come from the
# module source, fetched through the Go module proxy (instant once in the module cache), and are
# applied server-side: they are too large for the last-applied annotation of a client-side apply.
install_monitoring_crds() {
  local dir crds=$STATE/prometheus/crds.log crd files=()
  mkdir -p "$STATE/prometheus"
  dir=$(prometheus_operator_dir) ||
    die "could not fetch github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION: $dir"
  for crd in servicemonitors prometheusrules; do
    files+=(-f "$dir/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml")
  done
  kc apply --server-side --force-conflicts --field-manager microstack "${files[@]}" >"$crds" 2>&1 ||
    die "could not apply the Prometheus Operator CRDs: $(cat "$crds")"
  kc wait --for condition=Established --timeout 60s \
    crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com >>"$crds" 2>&1 ||
    die "the Prometheus Operator CRDs are not Established: $(cat "$crds")"
}

# The module's directory in the module cache (outside any module, so no go.mod is touched).
prometheus_operator_dir() {
  local json
  json=$(cd / && GOFLAGS='' GOTOOLCHAIN=local go mod download -json \
    "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" 2>&1) || {
    echo "$json"
    return 1
  }
  jq -r .Dir <<<"$json"
}

# --- Whole-cluster readiness --------------------------------------------------------------------------
# Each check names the part that failed.
wait_cluster() {
  wait_ready kube-apiserver 30 api_get /readyz
  wait_ready kubelet 60 node_ready
  wait_ready kube-controller-manager 60 kc get serviceaccount default -n default
  wait_ready metrics-server 60 apiservice_available
  wait_ready metrics-server 120 metrics_answer
}

apiservice_available() {
  [[ $(kc get apiservice v1beta1.metrics.k8s.io \
    -o 'jsonpath={.status.conditions[?(@.type=="Available")].status}') == True ]]
}

metrics_answer() { kc top node "$NODE_NAME" --no-headers | grep -q "$NODE_NAME"; }

# --- Commands --------------------------------------------------------------------------------------
step_index() {
  local i
  for i in "${!UP_STEPS[@]}"; do [[ ${UP_STEPS[$i]} == "$1" ]] && echo "$i" && return 0; done
  return 1
}

run_step() {
  local step=$1
  # Services already running are kept: `up` can be repeated, or resumed after a crash.
  if [[ " ${SERVICES[*]} " == *" $step "* ]] && svc_running "$step"; then
    log "$step: running (pid $(svc_pid "$step"))"
    return 0
  fi
  log "$step"
  case $step in
  registry) start_registry ;;
  registry-private) start_private_registry ;;
  docker)
    write_docker_config
    start_docker
    wait_ready docker 60 docker_ping
    ;;
  images) build_images ;;
  pki) make_pki ;;
  network) setup_network ;;
  etcd) start_etcd ;;
  kube-apiserver) start_apiserver ;;
  kube-controller-manager) start_controller_manager ;;
  kube-scheduler) start_scheduler ;;
  addons) apply_addons ;;
  containerd) start_containerd ;;
  kubelet) start_kubelet ;;
  kube-proxy) start_kube_proxy ;;
  network-policy) start_network_policy ;;
  metrics-server) start_metrics_server ;;
  traefik) start_traefik ;;
  prometheus) start_prometheus ;;
  esac
}

cmd_up() {
  local last=${1:-${UP_STEPS[-1]}} last_i i t0 t
  last_i=$(step_index "$last") || die "unknown step '$last' (one of: ${UP_STEPS[*]})"
  t0=$(now_ms)
  preflight "$last_i"
  mkdir -p "$STATE"
  host_save
  rm -f "$STATE/host/up-timings.tmp"
  for ((i = 0; i <= last_i; i++)); do
    t=$(now_ms)
    run_step "${UP_STEPS[$i]}"
    printf '%s\t%s\n' "${UP_STEPS[$i]}" "$(secs_since "$t")" >>"$STATE/host/up-timings.tmp"
  done
  # Once the node is complete (the add-on pods come after it and wait for themselves).
  if ((last_i >= $(step_index metrics-server))); then
    log "waiting for the cluster (API /readyz, node Ready, default ServiceAccount, metrics API)"
    wait_cluster
  fi
  mv -f "$STATE/host/up-timings.tmp" "$STATE/host/up-timings.tsv"
  log "up in $(secs_since "$t0")s; use it with: eval \"\$(hack/cluster.sh env)\""
}

# Pod containers first (the kubelet is stopped so nothing restarts them), through containerd while
# it runs; then whatever is left of shims and container processes.
stop_pods() {
  local ids id
  if svc_running containerd; then
    ids=$(ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null || true)
    if [[ -n $ids ]]; then
      log "stopping $(wc -w <<<"$ids") pod containers"
      for id in $ids; do ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGTERM "$id" >/dev/null 2>&1 || true; done
      # A short grace period: a process that is PID 1 without a SIGTERM handler ignores it.
      timeout 5 bash -c "while [[ -n \$(ctr --address '$CONTAINERD_SOCK' -n k8s.io tasks ls 2>/dev/null | awk 'NR > 1 && \$3 == \"RUNNING\"') ]]; do sleep 0.2; done" || true
      for id in $ids; do
        ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
      done
      for id in $ids; do
        timeout 10 ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
      done
    fi
  fi
}

cmd_down() {
  local left=()
  [[ $(id -u) == 0 ]] || die "must run as root"
  # The node first (so nothing restarts the pods), the control plane, then the build services.
  svc_stop 15 metrics-server network-policy kube-proxy kubelet
  stop_pods
  svc_stop 15 containerd
  node_leftovers_cleanup
  svc_stop 15 kube-scheduler kube-controller-manager kube-apiserver
  svc_stop 15 etcd
  svc_stop 30 docker registry-private registry
  # Anything else of ours that outlived its parent (dockerd's containerd, shims, docker-proxy).
  mapfile -t left < <(own_leftovers)
  if [[ ${#left[@]} -gt 0 ]]; then
    warn "stopping leftover processes: ${left[*]}"
    kill_pids TERM "${left[@]}"
    sleep 1
    mapfile -t left < <(own_leftovers)
    kill_pids KILL "${left[@]}"
  fi
  unmount_under "$STATE"
  restore_network
  host_restore_sysctls
  log "down; host restored"
}

# kube-proxy's own cleanup first, then every remaining KUBE-*/CNI-*/MICROSTACK-* chain and rule.
restore_network() {
  local kp
  if kp=$("$ROOT/hack/tools.sh" path kube-proxy 2>/dev/null); then
    mkdir -p "$STATE/kube-proxy"
    "$kp" --cleanup >"$STATE/kube-proxy/cleanup.log" 2>&1 || true
  fi
  ipt_sweep iptables
  ipt_sweep ip6tables
  ipset_sweep
  restore_forward_policy
  remove_new_empty_tables
  # Leftover host ends of veth pairs (normally gone with their namespaces), then the bridges.
  ip -o link show type veth 2>/dev/null |
    awk -F': ' -v a="master $BRIDGE " -v b="master $DOCKER_BRIDGE " 'index($0, a) || index($0, b) { sub(/@.*/, "", $2); print $2 }' |
    while read -r l; do ip link del "$l" 2>/dev/null || true; done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  ip link show "$DOCKER_BRIDGE" >/dev/null 2>&1 && ip link del "$DOCKER_BRIDGE"
  # Cached CNI results of our network (libcni's default cache directory).
  rm -f /var/lib/cni/results/microstack-* 2>/dev/null || true
  # Symlinks the kubelet made for log collectors, pointing into our state.
  find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null || true
  return 0
}

cmd_purge() {
  local all=0
  [[ ${1:-} == --all ]] && all=1
  cmd_down
  remove_cgroups
  if ((all)); then
    log "removing $STATE and the tools cache $CACHE/tools"
    rm -rf "${STATE:?}" "${CACHE:?}/tools" "${CACHE:?}/bin"
  elif [[ -d $STATE ]]; then
    log "removing $STATE (keeping the registry's images and the tools cache)"
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name registry -exec rm -rf {} +
    find "$STATE/registry" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} + 2>/dev/null || true
  fi
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# sum_rss PID...: resident memory in KiB, summed.
sum_rss() {
  local p total=0 r
  for p in "$@"; do
    r=$(rss_kib "$p")
    total=$((total + ${r:-0}))
  done
  echo "$total"
}

# Processes a service owns beyond its main PID: dockerd's containerd, the node's shims and pods.
helper_pids() {
  pids_with "$STATE/docker/exec/"
  pids_with "$CONTAINERD_SOCK"
  find /sys/fs/cgroup/pids/kubepods -name cgroup.procs -exec cat {} + 2>/dev/null || true
}

# addon_status NAMESPACE APP: a status line for an add-on pod (its memory is in the pods' line below);
# up when a pod of it is Ready. Asked only while the API server runs.
addon_status() {
  local ready=""
  if svc_running kube-apiserver; then
    ready=$(kc --request-timeout 5s get pods -n "$1" -l "app.kubernetes.io/name=$2" \
      -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
  fi
  if [[ " $ready " == *" True "* ]]; then
    printf '%-24s %-8s %-5s\n' "$2 (pod)" pod up
  else
    printf '%-24s %-8s %-5s\n' "$2 (pod)" - down
  fi
}

cmd_status() {
  local name pid rss total=0 helpers=()
  printf '%-24s %-8s %-5s %s\n' SERVICE PID STATE RSS
  for name in "${SERVICES[@]}"; do
    if pid=$(svc_pid "$name"); then
      rss=$(sum_rss "$pid")
      total=$((total + rss))
      printf '%-24s %-8s %-5s %d MiB\n' "$name" "$pid" up $((rss / 1024))
    else
      printf '%-24s %-8s %-5s\n' "$name" - down
    fi
  done
  addon_status "$INGRESS_NAMESPACE" traefik
  addon_status "$MONITORING_NAMESPACE" prometheus
  mapfile -t helpers < <(helper_pids | sort -u)
  if [[ ${#helpers[@]} -gt 0 ]]; then
    rss=$(sum_rss "${helpers[@]}")
    total=$((total + rss))
    printf '%-24s %-8s %-5s %d MiB\n' "(shims, pods, engine)" "${#helpers[@]}" "" $((rss / 1024))
  fi
  printf '%-24s %-8s %-5s %d MiB\n' total "" "" $((total / 1024))
}

cmd_env() {
  local bindir
  bindir=$("$ROOT/hack/tools.sh" bindir 2>/dev/null) || bindir=""
  printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_ADMIN"
  printf 'export MICROSTACK_KUBE_CONTEXT=%q\n' "$CONTEXT"
  printf 'export KUBECACHEDIR=%q\n' "$KUBECACHEDIR"
  printf 'export DOCKER_HOST=%q\n' "unix://$DOCKER_SOCK"
  printf 'export DOCKER_BUILDKIT=1\n'
  printf 'export MICROSTACK_REGISTRY=%q\n' "$REGISTRY"
  printf 'export MICROSTACK_PRIVATE_REGISTRY=%q\n' "$PRIVATE_REGISTRY"
  printf 'export MICROSTACK_PRIVATE_REGISTRY_USER=%q\n' "$PRIVATE_REGISTRY_USER"
  printf 'export MICROSTACK_PRIVATE_REGISTRY_PASSWORD_FILE=%q\n' "$STATE/registry-private/password"
  printf 'export MICROSTACK_INGRESS_HTTP=%q\n' "http://$NODE_IP:$INGRESS_HTTP_PORT"
  printf 'export MICROSTACK_INGRESS_HTTPS=%q\n' "https://$NODE_IP:$INGRESS_HTTPS_PORT"
  printf 'export MICROSTACK_INGRESS_CLASS=%q\n' "$INGRESS_CLASS"
  printf 'export MICROSTACK_INGRESS_NAMESPACE=%q\n' "$INGRESS_NAMESPACE"
  printf 'export MICROSTACK_PROMETHEUS_URL=%q\n' "$PROMETHEUS_URL"
  printf 'export MICROSTACK_MONITORING_NAMESPACE=%q\n' "$MONITORING_NAMESPACE"
  # Tools first, then the directory holding Debian's docker client (BuildKit-capable).
  # shellcheck disable=SC2016 # $PATH is for the shell that evaluates this
  printf 'export PATH=%q:"$PATH"\n' "${bindir:+$bindir:}$STATE/bin"
}

cmd_stop() {
  local name
  [[ $# -gt 0 ]] || usage
  for name in "$@"; do
    [[ " ${SERVICES[*]} " == *" $name "* ]] || die "unknown service '$name' (one of: ${SERVICES[*]})"
  done
  svc_stop 15 "$@"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
  exit 2
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge "$@" ;;
  *) usage ;;
  esac
}

# Sourcing the file (for tests) defines the functions without running anything.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
