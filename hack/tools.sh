#!/usr/bin/env bash
# Builds, from source through the Go module proxy, every tool the local Kubernetes environment and
# the end-to-end tests need, and caches each binary by version outside the repository.
#
#   hack/tools.sh install [TOOL...]  build what is missing (every tool when none is named)
#   hack/tools.sh bindir             refresh $CACHE/bin (symlinks to every built binary), print it
#   hack/tools.sh path BINARY        print the absolute path of a built binary
#   hack/tools.sh apt                install the Debian packages the environment needs
#   hack/tools.sh list               print the tools, their pinned versions and binaries
#
# Layout: $CACHE/tools/<tool>-<version>/<binaries>, build scratch (generated wrapper modules, logs,
# timings) in $CACHE/build. A tool whose binaries exist is never rebuilt; a build goes to a temporary
# directory first and is moved into place only when complete, so an interrupted build never counts
# as cached. Binary releases cannot be downloaded here, and several tools cannot be installed with
# a plain `go install module@version` (their go.mod files carry replace directives), hence the small
# wrapper modules generated under $CACHE/build. The repository itself keeps a single go.mod.
set -euo pipefail

# --- Pinned versions (each can be overridden from the environment) -------------------------------
# The CLI and the Kubernetes provider are built at the versions of the SDKs the program uses, as
# the root go.mod pins them (pkg/v3 v3.259.0 is the newest whose module zip the proxy serves).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
go_mod_version() {
  sed -nE 's#^[[:space:]]*(require[[:space:]]+)?'"$1"'[[:space:]]+(v[^[:space:]]+).*$#\2#p' "$ROOT/go.mod"
}
PULUMI_VERSION="${PULUMI_VERSION:-$(go_mod_version github.com/pulumi/pulumi/sdk/v3)}"
# The Go language host package exists in sdk/v3 only up to v3.66.0; that build works with the CLI.
PULUMI_LANGUAGE_GO_VERSION="${PULUMI_LANGUAGE_GO_VERSION:-v3.66.0}"
# provider/v4 has no tags of its own, so it is
# fetched by the pseudo-version of the v4.25.0 commit, whose hashes are pinned here because the
# checksum database does not know it.
PULUMI_KUBERNETES_VERSION="${PULUMI_KUBERNETES_VERSION:-$(go_mod_version github.com/pulumi/pulumi-kubernetes/sdk/v4)}"
PULUMI_KUBERNETES_PROVIDER_VERSION="${PULUMI_KUBERNETES_PROVIDER_VERSION:-v4.0.0-20260115033456-f47bc2d6f199}"
PULUMI_KUBERNETES_PROVIDER_SUM="${PULUMI_KUBERNETES_PROVIDER_SUM:-h1:j2bphCf7c2YhnBrhwht2f3TNRRgcMImltUlAgzxr9H4=}"
PULUMI_KUBERNETES_PROVIDER_GOMOD_SUM="${PULUMI_KUBERNETES_PROVIDER_GOMOD_SUM:-h1:61at6ZXhz4COFbTksqENrBzq5VUQ/LV8sdZ7WJt9KT4=}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.37.2}"
# Debian's etcd 3.4 lacks RequestWatchProgress, which client-go's watch-list needs.
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.9.0}"
KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-v1.20.0}"
KUBE_SCORE_FALLBACK_VERSION="${KUBE_SCORE_FALLBACK_VERSION:-v1.19.0}"
# The ingress controller k3s ships (pure Go); the monitoring server and its rules tool; the
# NetworkPolicy enforcer of the local cluster only (the one served here; never a product dependency).
TRAEFIK_VERSION="${TRAEFIK_VERSION:-v3.7.13}"
# Module v0.316.0 is Prometheus 3.16.0.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}"
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-v2.1.0}"
# Traefik pins a fork of go-http-auth at a pseudo-version the proxy refuses; the fork's previous
# pseudo-version (Traefik 3.0-3.6 built with it) is served.
TRAEFIK_HTTP_AUTH_FORK="${TRAEFIK_HTTP_AUTH_FORK:-github.com/containous/go-http-auth v0.4.1-0.20200324110947-a37a7636d23e}"
# Newest actionlint the proxy serves.
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
# pulumi/pkg builds only with this fork of the clipboard package (a replace in its own go.mod).
PULUMI_CLIPBOARD_REPLACE="github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
# Concurrent builds: each go build already uses every core, two overlap downloads and links.
TOOLS_JOBS="${TOOLS_JOBS:-2}"

CACHE="${MICROSTACK_CACHE:-$HOME/.cache/microstack}"
TOOLS_ROOT="$CACHE/tools"
BUILD_ROOT="$CACHE/build"
LOG_DIR="$BUILD_ROOT/logs"
# ipset: kube-router's NetworkPolicy controller (local cluster only) keeps its pod sets there.
# wrk: the load tool the service's bench holds its hot path to.
DEBIAN_PACKAGES=(docker.io docker-registry apache2-utils containernetworking-plugins iptables conntrack
  openssl busybox-static curl jq ipset wrk)

# Use the machine's Go, never a downloaded toolchain; static binaries; no VCS stamping (the wrapper
# modules are not repositories).
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-buildvcs=false"

# --- Tool table ------------------------------------------------------------------------------------
# Build order matters: the CLI, its language host and the Kubernetes binaries are needed first.
TOOLS=(pulumi pulumi-language-go kubernetes pulumi-resource-kubernetes etcd metrics-server kube-score
  actionlint prometheus traefik kube-router)
declare -A VERSION=(
  [pulumi]="$PULUMI_VERSION"
  [pulumi-language-go]="$PULUMI_LANGUAGE_GO_VERSION"
  [kubernetes]="$KUBERNETES_VERSION"
  [pulumi-resource-kubernetes]="$PULUMI_KUBERNETES_VERSION"
  [etcd]="$ETCD_VERSION"
  [metrics-server]="$METRICS_SERVER_VERSION"
  [kube-score]="$KUBE_SCORE_VERSION"
  [actionlint]="$ACTIONLINT_VERSION"
  [prometheus]="$PROMETHEUS_VERSION"
  [traefik]="$TRAEFIK_VERSION"
  [kube-router]="$KUBE_ROUTER_VERSION"
)
# Binaries that must exist for a tool to count as built (etcdctl is a bonus, built when served).
declare -A BINS=(
  [pulumi]="pulumi"
  [pulumi-language-go]="pulumi-language-go"
  [kubernetes]="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy"
  [pulumi-resource-kubernetes]="pulumi-resource-kubernetes"
  [etcd]="etcd"
  [metrics-server]="metrics-server"
  [kube-score]="kube-score"
  [actionlint]="actionlint"
  [prometheus]="prometheus promtool"
  [traefik]="traefik"
  [kube-router]="kube-router"
)
declare -A FALLBACK=([kube-score]="$KUBE_SCORE_FALLBACK_VERSION")

SELF=$(readlink -f "${BASH_SOURCE[0]}")

log() { printf '%s\n' "$*" >&2; }
die() { log "hack/tools.sh: $*"; exit 1; }

tool_dir() { echo "$TOOLS_ROOT/$1-${VERSION[$1]}"; }

is_built() {
  local dir bin
  dir=$(tool_dir "$1")
  for bin in ${BINS[$1]}; do [[ -x "$dir/$bin" ]] || return 1; done
}

# A tool with a fallback version uses it when only the fallback is built (no network needed).
prefer_built_fallback() {
  local name=$1 primary=${VERSION[$1]}
  [[ -n "${FALLBACK[$name]:-}" ]] || return 0
  is_built "$name" && return 0
  VERSION[$name]=${FALLBACK[$name]}
  is_built "$name" || VERSION[$name]=$primary
}

# tool_for NAME: the tool a tool or binary name belongs to (kube-apiserver -> kubernetes).
tool_for() {
  local name
  [[ -n "${VERSION[$1]:-}" ]] && echo "$1" && return 0
  [[ $1 == etcdctl ]] && echo etcd && return 0
  for name in "${TOOLS[@]}"; do
    [[ " ${BINS[$name]} " == *" $1 "* ]] && echo "$name" && return 0
  done
  die "unknown tool or binary '$1' (see: hack/tools.sh list)"
}

human_duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Is MODULE@VERSION downloadable? The filtered proxy can answer .info yet refuse the zip (403).
module_served() { go mod download "$1@$2" >/dev/null 2>&1; }

go_directive() { local v; v=$(go env GOVERSION); echo "${v#go}"; }

# --- Wrapper modules -----------------------------------------------------------------------------
# new_wrapper NAME: a fresh, empty build directory for NAME's wrapper module (printed).
new_wrapper() {
  local dir="$BUILD_ROOT/$1-${VERSION[$1]}"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "$dir"
}

# write_tools_go DIR PKG...: a file that imports the main packages so `go mod tidy` resolves them;
# the build tag keeps it out of every build.
write_tools_go() {
  local dir=$1 pkg
  shift
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for pkg in "$@"; do printf '\t_ "%s"\n' "$pkg"; done
    printf ')\n'
  } >"$dir/tools.go"
}

# tidy DIR: complete go.mod/go.sum of a generated wrapper module (never the repository's).
tidy() { (cd "$1" && GOFLAGS="-mod=mod -buildvcs=false" go mod tidy); }

# wrapper_build DIR OUT LDFLAGS PKG...: build main packages of the wrapper module into OUT/.
wrapper_build() {
  local dir=$1 out=$2 ldflags=$3
  shift 3
  (cd "$dir" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -ldflags "$ldflags" -o "$out/" "$@")
}

# go_install_to OUT LDFLAGS PKG@VERSION: for modules without replace directives.
go_install_to() { GOBIN="$1" go install -trimpath -ldflags "$2" "$3"; }

# --- Builders: build_<tool> OUT puts the tool's binaries into OUT ---------------------------------
build_pulumi() {
  local out=$1 w
  w=$(new_wrapper pulumi)
  cat >"$w/go.mod" <<EOF
module microstack.local/tools/pulumi

go $(go_directive)

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

replace $PULUMI_CLIPBOARD_REPLACE
EOF
  write_tools_go "$w" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  tidy "$w"
  # Without the version stamp `pulumi version` is empty and the Automation API refuses the CLI.
  wrapper_build "$w" "$out" "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_pulumi-language-go() {
  local out=$1 w
  w=$(new_wrapper pulumi-language-go)
  cat >"$w/go.mod" <<EOF
module microstack.local/tools/pulumi-language-go

go $(go_directive)

require github.com/pulumi/pulumi/sdk/v3 $PULUMI_LANGUAGE_GO_VERSION
EOF
  write_tools_go "$w" github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go
  tidy "$w"
  wrapper_build "$w" "$out" "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_LANGUAGE_GO_VERSION" \
    github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go
}

# Staging modules k8s.io/kubernetes requires at v0.0.0 (its go.mod points them at ./staging).
kubernetes_staging_modules() {
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .GoMod)
  awk '/^require \(/ {r=1; next} r && /^\)/ {r=0} r && $2 == "v0.0.0" {print $1}' "$gomod"
}

# -X flags that make a Kubernetes binary report VERSION (else it says v0.0.0-master).
kubernetes_version_ldflags() {
  local version=$1 date=$2 minor pkg flags=""
  minor=${version#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$flags"
}

# Publication time of a module version: a fixed build date, so rebuilds are identical.
module_time() { go list -m -json "$1@$2" | jq -r .Time; }

build_kubernetes() {
  local out=$1 w mod staging cmds=() bin
  staging="v0.${KUBERNETES_VERSION#v1.}"
  w=$(new_wrapper kubernetes)
  {
    printf 'module microstack.local/tools/kubernetes\n\ngo %s\n\n' "$(go_directive)"
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$KUBERNETES_VERSION"
    for mod in $(kubernetes_staging_modules); do printf '\t%s => %s %s\n' "$mod" "$mod" "$staging"; done
    printf ')\n'
  } >"$w/go.mod"
  for bin in ${BINS[kubernetes]}; do cmds+=("k8s.io/kubernetes/cmd/$bin"); done
  # All five commands as tools, so go.sum also gets kubelet's and kube-proxy's own dependencies.
  write_tools_go "$w" "${cmds[@]}"
  tidy "$w"
  wrapper_build "$w" "$out" \
    "-s -w $(kubernetes_version_ldflags "$KUBERNETES_VERSION" "$(module_time k8s.io/kubernetes "$KUBERNETES_VERSION")")" \
    "${cmds[@]}"
}

# The provider module zip lacks the two JSON files its main package embeds (generated upstream), so
# it is built from a writable copy in which its own generate.go produces them.
build_pulumi-resource-kubernetes() {
  local out=$1 w info version=${PULUMI_KUBERNETES_VERSION#v}
  local provider=github.com/pulumi/pulumi-kubernetes/provider/v4
  export GONOSUMDB=github.com/pulumi/pulumi-kubernetes/provider
  w=$(new_wrapper pulumi-resource-kubernetes)
  info=$(go mod download -json "$provider@$PULUMI_KUBERNETES_PROVIDER_VERSION")
  # Without the checksum database, the pinned hashes are what vouches for the download.
  [[ $(jq -r .Sum <<<"$info") == "$PULUMI_KUBERNETES_PROVIDER_SUM" &&
    $(jq -r .GoModSum <<<"$info") == "$PULUMI_KUBERNETES_PROVIDER_GOMOD_SUM" ]] ||
    die "$provider@$PULUMI_KUBERNETES_PROVIDER_VERSION does not match the pinned hashes"
  cp -r "$(jq -r .Dir <<<"$info")" "$w/provider"
  chmod -R u+w "$w/provider"
  # The provider's own `sdk/v4 => ../sdk` replace is dropped: the SDK comes from the proxy.
  cat >"$w/go.mod" <<EOF
module microstack.local/tools/pulumi-resource-kubernetes

go $(go_directive)

require (
	$provider $PULUMI_KUBERNETES_PROVIDER_VERSION
	github.com/pulumi/pulumi-kubernetes/sdk/v4 $PULUMI_KUBERNETES_VERSION
)

replace $provider => ./provider
EOF
  {
    cat "$w/provider/go.sum"
    echo "$provider $PULUMI_KUBERNETES_PROVIDER_VERSION $PULUMI_KUBERNETES_PROVIDER_SUM"
    echo "$provider $PULUMI_KUBERNETES_PROVIDER_VERSION/go.mod $PULUMI_KUBERNETES_PROVIDER_GOMOD_SUM"
  } >"$w/go.sum"
  # generate.go shares its directory with main.go, so it runs as its own package, tag dropped.
  mkdir "$w/generate"
  grep -v -e '^//go:build ignore' -e '^// +build ignore' \
    "$w/provider/cmd/pulumi-resource-kubernetes/generate.go" >"$w/generate/main.go"
  write_tools_go "$w" "$provider/cmd/pulumi-resource-kubernetes"
  tidy "$w"
  mkdir "$w/bin"
  wrapper_build "$w" "$w/bin" "" ./generate
  (cd "$w/provider/cmd/pulumi-resource-kubernetes" && VERSION="$version" "$w/bin/generate")
  wrapper_build "$w" "$out" "-s -w -X $provider/pkg/version.Version=$version" \
    "$provider/cmd/pulumi-resource-kubernetes"
}

# The etcd modules replace each other with ../ paths, so they need a wrapper module too.
build_etcd() {
  local out=$1 w mod pkgs=(go.etcd.io/etcd/server/v3)
  w=$(new_wrapper etcd)
  module_served go.etcd.io/etcd/etcdctl/v3 "$ETCD_VERSION" && pkgs+=(go.etcd.io/etcd/etcdctl/v3)
  {
    printf 'module microstack.local/tools/etcd\n\ngo %s\n\nrequire (\n' "$(go_directive)"
    for mod in server/v3 etcdctl/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do
      [[ $mod == etcdctl/v3 && ${#pkgs[@]} -eq 1 ]] && continue
      printf '\tgo.etcd.io/etcd/%s %s\n' "$mod" "$ETCD_VERSION"
    done
    printf ')\n'
  } >"$w/go.mod"
  write_tools_go "$w" "${pkgs[@]}"
  tidy "$w"
  # Both main packages end in /v3: name each binary explicitly.
  (cd "$w" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
  if [[ ${#pkgs[@]} -eq 2 ]]; then
    (cd "$w" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -ldflags "-s -w" -o "$out/etcdctl" go.etcd.io/etcd/etcdctl/v3)
  fi
}

build_metrics-server() {
  local date
  date=$(module_time sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION")
  go_install_to "$1" "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION -X k8s.io/client-go/pkg/version.buildDate=$date" \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
}

build_kube-score() {
  go_install_to "$1" "-s -w -X main.version=${VERSION[kube-score]#v}" \
    "github.com/zegl/kube-score/cmd/kube-score@${VERSION[kube-score]}"
}

build_actionlint() {
  go_install_to "$1" "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
}

# Only Kubernetes service discovery is compiled in: the other discovery plugins (clouds, Consul, ...)
# would more than double the build. The web UI's assets stay out (no builtinassets tag): the HTTP
# API is what the tests use.
build_prometheus() {
  local out=$1 w mod=github.com/prometheus/prometheus pkg=github.com/prometheus/common/version
  local tags=remove_all_sd,enable_kubernetes_sd date version
  w=$(new_wrapper prometheus)
  date=$(module_time "$mod" "$PROMETHEUS_VERSION")
  # The release's own number (v0.316.0 is 3.16.0), from the VERSION file of the module source.
  version=$(<"$(go mod download -json "$mod@$PROMETHEUS_VERSION" | jq -r .Dir)/VERSION")
  cat >"$w/go.mod" <<MOD
module microstack.local/tools/prometheus

go $(go_directive)

require $mod $PROMETHEUS_VERSION
MOD
  write_tools_go "$w" "$mod/cmd/prometheus" "$mod/cmd/promtool"
  tidy "$w"
  (cd "$w" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -tags "$tags" \
    -ldflags "-s -w -X $pkg.Version=$version -X $pkg.BuildDate=$date" \
    -o "$out/" "$mod/cmd/prometheus" "$mod/cmd/promtool")
}

# Traefik's go.mod replaces its dynamic/ext module by a path inside itself and two packages by
# forks; the wrapper module repeats them (replace directives of a dependency are ignored). Its
# embedded web UI is a placeholder in the module: the dashboard is not needed here.
# lego, its ACME library, registers every DNS-01 provider, and the proxy refuses the SDKs of two
# of them (ucloud, huaweicloud): lego is built from a writable copy whose provider list keeps only
# the "exec" and "manual" ones. The local environment serves certificates from Secrets, never
# through ACME; dropping the cloud SDKs also halves the build.
build_traefik() {
  local out=$1 w mod=github.com/traefik/traefik/v3 lego=github.com/go-acme/lego/v5 src date lego_version
  w=$(new_wrapper traefik)
  src=$(go mod download -json "$mod@$TRAEFIK_VERSION" | jq -r .Dir)
  date=$(module_time "$mod" "$TRAEFIK_VERSION")
  lego_version=$(awk -v m="$lego" '$1 == m {print $2; exit}' "$src/go.mod")
  cp -r "$(go mod download -json "$lego@$lego_version" | jq -r .Dir)" "$w/lego"
  chmod -R u+w "$w/lego"
  write_lego_dns_providers "$w/lego/providers/dns/zz_gen_dns_providers.go"
  write_traefik_ext "$w/ext"
  {
    printf 'module microstack.local/tools/traefik\n\ngo %s\n\nrequire %s %s\n\n' "$(go_directive)" "$mod" "$TRAEFIK_VERSION"
    printf 'replace github.com/traefik/traefik/dynamic/ext => ./ext\n\n'
    printf 'replace %s => ./lego\n\n' "$lego"
    # The forks and the exclusion, as the module's own go.mod states them, but the served fork.
    awk -v fork="$TRAEFIK_HTTP_AUTH_FORK" '/^\/\/ Containous forks/ {f=1}
      f && $1 == "github.com/abbot/go-http-auth" { print "\t" $1 " => " fork; next } f' "$src/go.mod"
  } >"$w/go.mod"
  write_tools_go "$w" "$mod/cmd/traefik"
  tidy "$w"
  wrapper_build "$w" "$out" "-s -w -X $mod/pkg/version.Version=${TRAEFIK_VERSION#v} -X $mod/pkg/version.BuildDate=$date" \
    "$mod/cmd/traefik"
}

# write_traefik_ext DIR: Traefik's dynamic-config extension module. It is a module of its own inside
# Traefik's repository, so the module zip leaves it out, and the proxy does not serve it: the open
# source build's extension points are empty structs.
write_traefik_ext() {
  mkdir -p "$1"
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo %s\n' "$(go_directive)" >"$1/go.mod"
  cat >"$1/ext.go" <<'GO'
// Package ext holds the extension points of Traefik's dynamic configuration.
package ext

// HTTP extends the HTTP configuration.
type HTTP struct{}

// Router extends a router.
type Router struct{}
GO
}

# write_lego_dns_providers FILE: lego's DNS-01 provider factory, with only the providers that need
# no cloud SDK.
write_lego_dns_providers() {
  cat >"$1" <<'GO'
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
	"github.com/go-acme/lego/v5/providers/dns/exec"
	"github.com/go-acme/lego/v5/providers/dns/manual"
)

// NewDNSChallengeProviderByName returns the DNS-01 provider called name.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	switch name {
	case "exec":
		return exec.NewDNSProvider()
	case "manual":
		return manual.NewDNSProvider()
	}
	return nil, fmt.Errorf("unrecognized DNS provider: %s (this build has exec and manual only)", name)
}
GO
}

build_kube-router() {
  go_install_to "$1" "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
}

# The CLI looks for its language host next to itself: a small launcher goes into the pulumi
# directory. The host of sdk v3.66.0 takes a prebuilt program only as its -binary flag, which
# today's CLI no longer passes for runtime.options.binary; without it, every preview and up
# compiles and links the program again (seconds of CPU each). The launcher passes
# MICROSTACK_PULUMI_GO_BINARY, when set, as that flag (the end-to-end tests build the program once
# and set it); unset, the host compiles the program as usual.
place_language_host() {
  local src dst tmp
  src="$(tool_dir pulumi-language-go)/pulumi-language-go"
  dst="$(tool_dir pulumi)/pulumi-language-go"
  [[ -x "$src" && -d "$(tool_dir pulumi)" ]] || return 0
  # BASHPID, not $$: concurrent build jobs of one invocation share $$.
  tmp="$dst.tmp.$BASHPID"
  cat >"$tmp" <<SH
#!/bin/sh
# Written by hack/tools.sh: the Go language host, given MICROSTACK_PULUMI_GO_BINARY as its -binary.
if [ -n "\${MICROSTACK_PULUMI_GO_BINARY:-}" ]; then
  exec "$src" -binary "\$MICROSTACK_PULUMI_GO_BINARY" "\$@"
fi
exec "$src" "\$@"
SH
  chmod +x "$tmp"
  if cmp -s "$tmp" "$dst"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$dst"
  fi
}

# --- install ---------------------------------------------------------------------------------------
report() { printf '%-36s %-7s %8s  %s\n' "$1 ${VERSION[$1]}" "$2" "$3" "$(tool_dir "$1")"; }

# A kube-score pin the proxy does not serve falls back to the previous release.
resolve_fallback() {
  local name=$1
  [[ -n "${FALLBACK[$name]:-}" ]] || return 0
  case $name in
  kube-score) module_served github.com/zegl/kube-score "${VERSION[$name]}" && return 0 ;;
  esac
  log "$name ${VERSION[$name]} is not served, using ${FALLBACK[$name]}"
  VERSION[$name]=${FALLBACK[$name]}
}

# install_tool NAME: build NAME unless cached, print its report line. Runs as a background job.
install_tool() {
  local name=$1 dir tmp start lock_fd seconds logfile bin
  resolve_fallback "$name"
  dir=$(tool_dir "$name")
  logfile="$LOG_DIR/$name-${VERSION[$name]}.log"
  # Another invocation may be building the same tool: wait for it instead of building twice.
  exec {lock_fd}>"$BUILD_ROOT/$name.lock"
  flock "$lock_fd"
  if is_built "$name"; then report "$name" cached 0m00s; return 0; fi
  rm -rf "$TOOLS_ROOT/.tmp-$name".*
  tmp=$(mktemp -d "$TOOLS_ROOT/.tmp-$name.XXXXXX")
  chmod 755 "$tmp"
  start=$(date +%s)
  # A separate process: errexit would be ignored inside a function run as an `if` condition.
  if ! "$SELF" __build "$name" "${VERSION[$name]}" "$tmp" >"$logfile" 2>&1; then
    rm -rf "$tmp"
    report "$name" FAILED "$(human_duration $(($(date +%s) - start)))"
    log "last lines of $logfile:"
    tail -n 20 "$logfile" >&2
    return 1
  fi
  # Same file system: renames are atomic, and is_built needs every binary to be in place.
  if [[ -d "$dir" ]]; then
    for bin in "$tmp"/*; do mv -f "$bin" "$dir/"; done
    rmdir "$tmp"
  else
    mv "$tmp" "$dir"
  fi
  seconds=$(($(date +%s) - start))
  printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "${VERSION[$name]}" "$seconds" >>"$BUILD_ROOT/timings.tsv"
  place_language_host
  report "$name" built "$(human_duration "$seconds")"
}

# __build NAME VERSION OUT: run NAME's builder and check that it produced every binary.
cmd_build() {
  local name=$1 bin
  VERSION[$name]=$2
  "build_$name" "$3"
  for bin in ${BINS[$name]}; do [[ -x "$3/$bin" ]] || die "$name: $bin missing after the build"; done
}

cmd_install() {
  local names=() name pid rc failed=()
  local -A running=()
  for name in "${@:-${TOOLS[@]}}"; do names+=("$(tool_for "$name")"); done
  mkdir -p "$TOOLS_ROOT" "$LOG_DIR"
  for name in "${names[@]}"; do
    prefer_built_fallback "$name"
    if is_built "$name"; then report "$name" cached 0m00s; continue; fi
    while ((${#running[@]} >= TOOLS_JOBS)); do reap_one; done
    install_tool "$name" &
    running[$!]=$name
  done
  while ((${#running[@]} > 0)); do reap_one; done
  place_language_host
  [[ ${#failed[@]} -eq 0 ]] || die "failed to build: ${failed[*]} (logs in $LOG_DIR)"
}

# reap_one: wait for one build job of cmd_install (its variables) and note whether it failed.
reap_one() {
  rc=0
  wait -n -p pid "${!running[@]}" || rc=$?
  ((rc == 0)) || failed+=("${running[$pid]}")
  unset "running[$pid]"
}

# --- bindir / path / list ---------------------------------------------------------------------------
# Links are replaced in place and only stale ones removed, so a PATH user never sees a gap.
cmd_bindir() {
  local bindir="$CACHE/bin" name bin link
  local -A wanted=()
  mkdir -p "$bindir"
  place_language_host
  for name in "${TOOLS[@]}"; do
    prefer_built_fallback "$name"
    for bin in "$(tool_dir "$name")"/*; do
      [[ -f "$bin" && -x "$bin" && -z "${wanted[${bin##*/}]:-}" ]] || continue
      wanted[${bin##*/}]=1
      ln -sfn "$bin" "$bindir/${bin##*/}"
    done
  done
  for link in "$bindir"/*; do
    if [[ -L "$link" && -z "${wanted[${link##*/}]:-}" ]]; then rm -f "$link"; fi
  done
  echo "$bindir"
}

cmd_path() {
  local want=${1:?usage: hack/tools.sh path BINARY} name
  name=$(tool_for "$want")
  [[ " ${BINS[$name]} " == *" $want "* || $want == etcdctl ]] || want=${BINS[$name]%% *}
  prefer_built_fallback "$name"
  [[ -x "$(tool_dir "$name")/$want" ]] || die "$want is not built; run: hack/tools.sh install $name"
  # The CLI finds its language host in its own directory, so that is the copy to point at.
  if [[ $want == pulumi-language-go ]]; then
    place_language_host
    [[ -x "$(tool_dir pulumi)/$want" ]] || die "pulumi is not built; run: hack/tools.sh install pulumi"
    name=pulumi
  fi
  echo "$(tool_dir "$name")/$want"
}

cmd_list() {
  local name
  for name in "${TOOLS[@]}"; do printf '%-28s %-10s %s\n' "$name" "${VERSION[$name]}" "${BINS[$name]}"; done
}

# --- apt ---------------------------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

cmd_apt() {
  local pkg missing=() created_policy="" status=0
  for pkg in "${DEBIAN_PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
  if [[ ${#missing[@]} -eq 0 ]]; then log "Debian packages: all installed"; return 0; fi
  # Other installs may hold the dpkg lock for a while: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  for pkg in "${missing[@]}"; do
    apt-cache show "$pkg" >/dev/null 2>&1 || die "Debian package '$pkg' is not available"
  done
  # The environment starts its own daemon instances: keep the packages' init scripts from
  # starting docker, containerd or the registry on install.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" || status=$?
  [[ -z "$created_policy" ]] || rm -f /usr/sbin/policy-rc.d
  ((status == 0)) || die "apt-get install failed"
  log "Debian packages installed: ${missing[*]}"
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
  install) cmd_install "$@" ;;
  __build) cmd_build "$@" ;;
  bindir) cmd_bindir ;;
  path) cmd_path "$@" ;;
  apt) cmd_apt ;;
  list) cmd_list ;;
  *) die "usage: hack/tools.sh {install [TOOL...]|bindir|path BINARY|apt|list}" ;;
  esac
}

# On one line: bash reads a script as it runs, so an edit during a long build cannot leak in.
main "$@"; exit
