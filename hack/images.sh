#!/usr/bin/env bash
# The project's container images, built here with the local Docker engine and pushed to the local
# registry: no base image can be pulled on this machine, so the bases are made from what it has.
#
#   hack/images.sh [base]               pause, go-builder and static base images (skips up-to-date ones)
#   hack/images.sh app [--context DIR] [TAG]
#                                       build the root Dockerfile on those bases, push
#                                       $REGISTRY/microstack:TAG (its layer cache as TAG-buildcache),
#                                       print its digest reference
#   hack/images.sh faulty exit|unready  build and push a release that never gets Ready, print its
#                                       digest reference: "exit" exits at start, "unready" runs but
#                                       never answers its probes (the end-to-end tests' bad releases)
#   hack/images.sh mirror REF REPO:TAG  push image REF as REPO:TAG, logging in with $REGISTRY_USERNAME
#                                       and $REGISTRY_PASSWORD when set, print REPO@DIGEST
#   hack/images.sh traefik|prometheus   build and push the add-on image of that binary of
#                                       hack/tools.sh (skips an up-to-date one), print its reference
#   hack/images.sh ref pause|go-builder|static|traefik|prometheus
#                                       print an image's reference (no Docker needed)
#
# Images (REGISTRY = localhost:5001):
#   $REGISTRY/microstack/pause:<content hash>     sandbox image of the node (static Go, FROM scratch)
#   $REGISTRY/microstack/go-builder:<go version>  busybox shell + this machine's Go + its CA bundle
#   $REGISTRY/microstack/static:nonroot           FROM scratch: user 65532, CA bundle, /tmp
#   $REGISTRY/microstack/traefik:<version>-<hash>, .../prometheus:<version>-<hash>
#                                                 FROM scratch: the same, plus the tool's binary
# Each carries a label with the hash of its inputs; an image whose label in the registry matches is
# not rebuilt. The engine is $DOCKER_HOST (default: the one hack/cluster.sh starts).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MICROSTACK_STATE:-$HOME/.local/state/microstack}
REGISTRY=${MICROSTACK_REGISTRY:-localhost:5001}
export DOCKER_HOST=${DOCKER_HOST:-unix://$STATE/docker/docker.sock}
export DOCKER_BUILDKIT=1
# Debian's 20.10 client talks BuildKit to the daemon; /usr/local/bin/docker (28) lacks buildx.
DOCKER=/usr/bin/docker
GOROOT_HOST=/usr/local/go
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
BUSYBOX=/bin/busybox
INPUTS_LABEL=dev.microstack.inputs
# The tag of the app image that carries its layer cache ends with this (see cmd_app).
CACHE_TAG_SUFFIX=-buildcache
NONROOT_UID=65532

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'hack/images.sh: %s\n' "$*" >&2
  exit 1
}

sha() { sha256sum | cut -c1-64; }
go_version() { local v; v=$("$GOROOT_HOST/bin/go" env GOVERSION); echo "${v#go}"; }

# --- Input hashes: cheap to compute, change whenever the image would --------------------------------
# Each includes the text of the function that fills the image's build context (its Dockerfile).
inputs_pause() {
  {
    declare -f context_pause
    go_version
    cat "$ROOT/hack/pause/main.go"
  } | sha
}

inputs_go_builder() {
  {
    declare -f context_go_builder context_users
    sha256sum "$BUSYBOX" "$CA_BUNDLE"
    # The toolchain by its version and the size and time of its commands and library tree:
    # hashing 270 MB (or even listing 14,000 files) on every `up` would cost more than it saves.
    cat "$GOROOT_HOST/VERSION"
    find "$GOROOT_HOST" "$GOROOT_HOST/bin" "$GOROOT_HOST/pkg/tool" "$GOROOT_HOST/src" -maxdepth 1 \
      -printf '%P %s %T@ %m\n' | LC_ALL=C sort
  } | sha
}

inputs_static() {
  {
    declare -f context_static context_users
    sha256sum "$CA_BUNDLE"
  } | sha
}

# The add-on images of the cluster (hack/cluster.sh runs them as pods): the binary by its path, size
# and time, as for the toolchain above. A tools cache directory belongs to one version and a rebuild
# replaces the file, so a changed binary always shows.
addon_binary() {
  "$ROOT/hack/tools.sh" path "$1" 2>/dev/null || die "$1 is not built: run hack/tools.sh install $1"
}

# Each step checks: a command substitution does not stop at an error inside it.
inputs_addon() {
  local bin
  bin=$(addon_binary "$1") || exit 1
  {
    declare -f context_addon context_users
    echo "$1"
    stat -L -c '%n %s %Y' "$bin"
    sha256sum "$CA_BUNDLE"
  } | sha
}

inputs_traefik() { inputs_addon traefik; }
inputs_prometheus() { inputs_addon prometheus; }

# The tag carries the version (from the tools cache directory, <tool>-<version>) and the inputs: a
# new tag is what makes the Deployment roll when the binary changes.
addon_ref() {
  local bin dir inputs
  bin=$(addon_binary "$1") || exit 1
  dir=$(dirname "$bin")
  inputs=$(inputs_addon "$1") || exit 1
  echo "$REGISTRY/microstack/$1:${dir##*/"$1"-}-${inputs:0:12}"
}

ref_of() {
  case $1 in
  pause) echo "$REGISTRY/microstack/pause:$(inputs_pause | cut -c1-16)" ;;
  go-builder) echo "$REGISTRY/microstack/go-builder:$(go_version)" ;;
  static) echo "$REGISTRY/microstack/static:nonroot" ;;
  traefik | prometheus) addon_ref "$1" ;;
  *) die "unknown image '$1' (pause, go-builder, static, traefik, prometheus)" ;;
  esac
}

# --- Build contexts: context_NAME DIR writes DIR/Dockerfile and what it copies ----------------------
# /etc/passwd and /etc/group with root and the non-root user (distroless' numbering).
context_users() {
  local etc=$1/etc
  mkdir -p "$etc/ssl/certs"
  cp "$CA_BUNDLE" "$etc/ssl/certs/ca-certificates.crt"
  cat >"$etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:$NONROOT_UID:$NONROOT_UID:nonroot:/home/nonroot:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
  cat >"$etc/group" <<EOF
root:x:0:
nonroot:x:$NONROOT_UID:
nobody:x:65534:
EOF
  echo 'hosts: files dns' >"$etc/nsswitch.conf"
  mkdir -p "$1/tmp"
  chmod 1777 "$1/tmp"
}

context_pause() {
  local dir=$1 mod
  # Built outside the repository's module: it needs nothing but the standard library.
  mod=$(mktemp -d)
  cp "$ROOT/hack/pause/main.go" "$mod/"
  printf 'module microstack.local/pause\n\ngo 1.22\n' >"$mod/go.mod"
  (cd "$mod" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    "$GOROOT_HOST/bin/go" build -trimpath -ldflags "-s -w" -o "$dir/pause" .)
  rm -rf "$mod"
  cat >"$dir/Dockerfile" <<'EOF'
FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]
EOF
}

context_go_builder() {
  local dir=$1 rootfs=$1/rootfs applet
  mkdir -p "$rootfs/bin" "$rootfs/usr/local" "$rootfs/root" "$rootfs/go" "$rootfs/src"
  context_users "$rootfs"
  cp "$BUSYBOX" "$rootfs/bin/busybox"
  # A symlink per applet (sh, env, tar, wget...), at the paths busybox itself lists.
  for applet in $("$BUSYBOX" --list-full); do
    [[ -e $rootfs/$applet || $applet == bin/busybox ]] && continue
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -s /bin/busybox "$rootfs/$applet"
  done
  # The machine's toolchain without its own test suite.
  tar -C "$(dirname "$GOROOT_HOST")" --exclude "go/test" -cf - go | tar -C "$rootfs/usr/local" -xf -
  # HTTPS goes through a re-signing proxy here: `go mod download` in a build needs this CA bundle.
  # No git in the image, so VCS stamping is off.
  cat >"$dir/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOTOOLCHAIN=local GOPATH=/go HOME=/root CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /src
CMD ["/bin/sh"]
EOF
}

context_static() {
  local dir=$1
  context_users "$dir/rootfs"
  mkdir -p "$dir/home-nonroot"
  cat >"$dir/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
COPY --chown=$NONROOT_UID:$NONROOT_UID home-nonroot/ /home/nonroot/
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER $NONROOT_UID:$NONROOT_UID
EOF
}

# context_addon DIR NAME: FROM scratch, the users, CA bundle and /tmp of context_users, and the tool's
# binary as /bin/NAME (not /NAME: Prometheus' data directory is /prometheus), run as the non-root
# user. The pods mount what they write (emptyDir).
context_addon() {
  local dir=$1 name=$2
  context_users "$dir/rootfs"
  mkdir -p "$dir/rootfs/bin"
  cp "$(addon_binary "$name")" "$dir/rootfs/bin/$name"
  cat >"$dir/Dockerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER $NONROOT_UID:$NONROOT_UID
ENTRYPOINT ["/bin/$name"]
EOF
}

context_traefik() { context_addon "$1" traefik; }
context_prometheus() { context_addon "$1" prometheus; }

# --- Registry and engine ---------------------------------------------------------------------------
registry_url() { echo "http://$REGISTRY"; }

# registry_inputs REPO TAG: the inputs label of the image in the registry (empty when absent).
registry_inputs() {
  local manifest config
  manifest=$(curl -fsS \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$(registry_url)/v2/$1/manifests/$2" 2>/dev/null) || return 0
  config=$(jq -r '.config.digest // empty' <<<"$manifest")
  [[ -n $config ]] || return 0
  curl -fsS "$(registry_url)/v2/$1/blobs/$config" | jq -r --arg l "$INPUTS_LABEL" '.config.Labels[$l] // empty'
}

require_engine() {
  curl -fsS "$(registry_url)/v2/" >/dev/null 2>&1 ||
    die "registry $REGISTRY not reachable (start it: hack/cluster.sh up registry)"
  "$DOCKER" version >/dev/null 2>&1 ||
    die "no Docker engine at $DOCKER_HOST (start it: hack/cluster.sh up docker)"
}

# build_base NAME: build and push unless the registry already holds the same inputs.
build_base() {
  local name=$1 ref inputs repo tag ctx
  ref=$(ref_of "$name")
  inputs=$("inputs_${name//-/_}")
  repo=${ref#"$REGISTRY"/}
  tag=${repo##*:}
  repo=${repo%:*}
  if [[ $(registry_inputs "$repo" "$tag") == "$inputs" ]]; then
    log "$ref: up to date"
    return 0
  fi
  log "$ref: building"
  ctx=$(mktemp -d)
  (
    trap 'rm -rf "$ctx"' EXIT
    "context_${name//-/_}" "$ctx"
    "$DOCKER" build --progress plain --label "$INPUTS_LABEL=$inputs" -t "$ref" "$ctx" >&2
    "$DOCKER" push "$ref" >&2
  )
}

cmd_base() {
  require_engine
  build_base pause
  build_base static
  build_base go-builder
}

# cmd_addon NAME: build and push the add-on image unless up to date, print its reference.
cmd_addon() {
  require_engine
  build_base "$1"
  ref_of "$1"
}

# --- App image -------------------------------------------------------------------------------------
cmd_app() {
  local context=$ROOT tag="" ref cache
  while [[ $# -gt 0 ]]; do
    case $1 in
    --context)
      context=$(cd "${2:?--context needs a directory}" && pwd)
      shift 2
      ;;
    -*) die "unknown option $1" ;;
    *)
      tag=$1
      shift
      ;;
    esac
  done
  [[ -n $tag ]] || tag=dev-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || date +%s)
  [[ -f $context/Dockerfile ]] || die "no Dockerfile in $context"
  cmd_base
  ref=$REGISTRY/microstack:$tag
  cache=$ref$CACHE_TAG_SUFFIX
  local args=(
    --build-arg "BUILDER_IMAGE=$(ref_of go-builder)"
    --build-arg "RUNTIME_IMAGE=$(ref_of static)"
    --build-arg "VERSION=$tag"
    --build-arg "COMMIT=$(git -C "$context" rev-parse HEAD 2>/dev/null || echo unknown)"
  )
  # VERSION and COMMIT are stamped into the binary by the root Dockerfile. The layer cache travels
  # in an image of its own: BuildKit's inline cache metadata sits in the image config and differs
  # from one build of the same source to the next, so an image carrying it would get a new digest,
  # and roll the pods, with nothing changed. The registry's cache image lends its layers to an engine
  # that lacks them; the image deployed is then built from the engine's cache, without the metadata.
  log "$cache: building $context/Dockerfile with its layer cache inline"
  "$DOCKER" build --progress plain --cache-from "$cache" --build-arg BUILDKIT_INLINE_CACHE=1 \
    "${args[@]}" -t "$cache" "$context" >&2
  "$DOCKER" push "$cache" >&2
  log "$ref: building $context/Dockerfile"
  "$DOCKER" build --progress plain "${args[@]}" -t "$ref" "$context" >&2
  push_digest "$ref"
}

# push_digest REF: push REPO:TAG and print REPO@DIGEST.
push_digest() {
  local ref=$1 digest
  "$DOCKER" push "$ref" >&2
  digest=$("$DOCKER" image inspect --format '{{json .RepoDigests}}' "$ref" |
    jq -r --arg r "${ref%:*}@" 'map(select(startswith($r))) | first // empty')
  [[ -n $digest ]] || die "no digest for $ref after the push"
  echo "$digest"
}

# cmd_mirror REF REPO:TAG: copy an image of the engine (pulled when absent) to another registry.
cmd_mirror() {
  local src=${1:?usage: hack/images.sh mirror REF REPO:TAG} dst=${2:?usage: hack/images.sh mirror REF REPO:TAG} cfg
  require_engine
  "$DOCKER" image inspect "$src" >/dev/null 2>&1 || "$DOCKER" pull "$src" >&2
  "$DOCKER" tag "$src" "$dst"
  # A login of its own: the engine's user keeps no credentials of ours.
  cfg=$(mktemp -d)
  if [[ -n ${REGISTRY_USERNAME:-} ]]; then
    printf '%s' "${REGISTRY_PASSWORD:?REGISTRY_PASSWORD must be set with REGISTRY_USERNAME}" |
      DOCKER_CONFIG=$cfg "$DOCKER" login --username "$REGISTRY_USERNAME" --password-stdin "${dst%%/*}" >&2
  fi
  DOCKER_CONFIG=$cfg push_digest "$dst"
  rm -rf "$cfg"
}

# --- Faulty releases -------------------------------------------------------------------------------
# context_faulty DIR KIND: the static base and busybox, running a command that exits at once, or
# one that runs but never listens, so the app's probes fail.
context_faulty() {
  local dir=$1 kind=$2 cmd
  case $kind in
  exit) cmd='["/bin/busybox", "false"]' ;;
  unready) cmd='["/bin/busybox", "sleep", "86400"]' ;;
  *) die "unknown faulty release $kind: use exit or unready" ;;
  esac
  mkdir -p "$dir/bin"
  cp "$BUSYBOX" "$dir/bin/busybox"
  cat >"$dir/Dockerfile" <<EOF
FROM $(ref_of static)
COPY bin/busybox /bin/busybox
ENTRYPOINT $cmd
EOF
}

cmd_faulty() {
  local kind=${1:?usage: hack/images.sh faulty exit|unready} ref ctx
  cmd_base
  ref=$REGISTRY/microstack/faulty:$kind
  ctx=$(mktemp -d)
  context_faulty "$ctx" "$kind"
  "$DOCKER" build --progress plain -t "$ref" "$ctx" >&2
  rm -rf "$ctx"
  push_digest "$ref"
}

main() {
  local cmd=${1:-base}
  [[ $# -gt 0 ]] && shift
  case $cmd in
  base) cmd_base ;;
  app) cmd_app "$@" ;;
  faulty) cmd_faulty "$@" ;;
  mirror) cmd_mirror "$@" ;;
  traefik | prometheus) cmd_addon "$cmd" ;;
  ref) ref_of "${1:?usage: hack/images.sh ref pause|go-builder|static|traefik|prometheus}" ;;
  *) die "usage: hack/images.sh [base] | app [--context DIR] [TAG] | faulty exit|unready | mirror REF REPO:TAG | traefik|prometheus | ref NAME" ;;
  esac
}

main "$@"
