#!/usr/bin/env bash
# The project's speed and size figures, on this machine, each against its target where it has one:
#
#   app     the service (go run ./bench): throughput and p50/p99 latency next to a bare net/http
#           server answering the same bytes (bench/ceiling) at 1, 16 and 64 connections, idle and
#           loaded memory, exec-to-ready time, a CPU profile under load, and the image's size and
#           largest layer. See `go doc ./bench`.
#   stacks  the infrastructure on the local cluster (go run ./bench/stacks): `pulumi preview` and
#           `pulumi up` for a program of 1, 10 and 50 services and how they grow. See
#           `go doc ./bench/stacks`. (A rollout under load, with its failed requests, is measured
#           and asserted by the end-to-end suite.)
#
#   hack/bench.sh [APP_FLAGS...] [-- STACKS_FLAGS...]   both parts, app first
#   hack/bench.sh --app-only [APP_FLAGS...]             e.g. hack/bench.sh --app-only -conns 1,16
#   hack/bench.sh --stacks-only [STACKS_FLAGS...]       e.g. hack/bench.sh --stacks-only -services 1,10
#
# Flags are those of `go run ./bench -h` and `go run ./bench/stacks -h`; app's -strict makes a missed
# target fail the script. Both parts use the local environment of hack/cluster.sh, which this script never
# starts:
#   - When its Docker engine answers and no -image flag is given, the service's image is built and
#     pushed with `hack/images.sh app bench` (said on stderr), then passed to both parts as -image:
#     app reports its size, stacks deploys it. A -image given to app is passed on to stacks too.
#     Without the engine, app's report says why the image size is skipped.
#   - stacks runs only when the cluster answers (kubectl get --raw /readyz); otherwise the script
#     says why it skips it, and fails if --stacks-only asked for it.
# app repeats its largest point with wrk (installed by hack/tools.sh apt), whose figures carry the
# hot path's strictest targets; without wrk, those verdicts say it is skipped.
# app takes about two minutes, stacks a few, plus the image build; the figures are only
# comparable when the load average, printed before and after each part, is well below the number
# of CPUs. Exits non-zero if a part failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export GOTOOLCHAIN=local

# The tag hack/images.sh pushes the bench's image under (localhost:5001/microstack:bench).
IMAGE_TAG=bench

log() { printf 'hack/bench.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# image_of ARGS...: print the value of the -image flag among ARGS; fail when there is none.
image_of() {
  while [[ $# -gt 0 ]]; do
    case $1 in
    -image | --image)
      printf '%s\n' "${2:-}"
      return 0
      ;;
    -image=* | --image=*)
      printf '%s\n' "${1#*=}"
      return 0
      ;;
    esac
    shift
  done
  return 1
}

# in_local_env CMD...: run CMD with the environment of hack/cluster.sh (KUBECONFIG, DOCKER_HOST, the
# tools on PATH), leaving this shell's own untouched.
in_local_env() {
  (
    eval "$LOCAL_ENV"
    "$@"
  )
}

# engine_down: print why the local Docker engine cannot build the image, or nothing when it can.
engine_down() {
  local out
  if ! out=$(in_local_env docker version --format '{{.Server.Version}}' 2>&1); then
    printf 'the local Docker engine does not answer (%s)' "$(tail -n 1 <<<"$out")"
  fi
}

# cluster_down: print why bench/stacks cannot run on the local cluster, or nothing when it can.
cluster_down() {
  local out
  if ! in_local_env command -v kubectl >/dev/null; then
    printf 'kubectl is not installed'
  elif ! out=$(in_local_env kubectl --request-timeout=10s get --raw /readyz 2>&1); then
    printf 'the local cluster does not answer (kubectl get --raw /readyz: %s)' "$(tail -n 1 <<<"$out")"
  fi
}

main() {
  local run_app=1 run_stacks=1 image="" built=0 why rc=0
  local -a app_flags=() stacks_flags=()
  case ${1:-} in
  --app-only)
    run_stacks=0
    shift
    ;;
  --stacks-only)
    run_app=0
    shift
    [[ ${1:-} != -- ]] || shift
    ;;
  -h | --help) usage ;;
  esac
  if ((run_app)); then
    while [[ $# -gt 0 && $1 != -- ]]; do
      app_flags+=("$1")
      shift
    done
    [[ ${1:-} != -- ]] || shift
  fi
  stacks_flags=("$@")
  if ((!run_stacks && ${#stacks_flags[@]} > 0)); then
    die "flags after -- are bench/stacks', which --app-only does not run: ${stacks_flags[*]}"
  fi

  LOCAL_ENV=$(hack/cluster.sh env)
  if ((run_stacks)); then
    why=$(cluster_down)
    if [[ -n $why ]]; then
      ((run_app)) || die "bench/stacks cannot run: $why; start it with hack/cluster.sh up"
      log "skipping bench/stacks: $why; start it with hack/cluster.sh up"
      run_stacks=0
    fi
  fi

  image=$(image_of "${app_flags[@]}") || image=$(image_of "${stacks_flags[@]}") || image=""
  if [[ -z $image ]]; then
    why=$(engine_down)
    if [[ -n $why ]]; then
      log "not building the image: $why; start it with hack/cluster.sh up, or give -image REF"
    else
      log "no -image given and the local Docker engine answers: building the image with hack/images.sh app $IMAGE_TAG"
      image=$(in_local_env hack/images.sh app "$IMAGE_TAG")
      log "image $image"
      built=1
    fi
  fi

  if ((run_app)); then
    if ((built)); then
      # The image lives in the local engine: measure it there.
      in_local_env go run ./bench -image "$image" "${app_flags[@]}" || rc=$?
    else
      go run ./bench "${app_flags[@]}" || rc=$?
    fi
  fi
  if ((run_stacks)); then
    if [[ -n $image ]] && ! image_of "${stacks_flags[@]}" >/dev/null; then
      stacks_flags=(-image "$image" "${stacks_flags[@]}")
    fi
    ((!run_app)) || echo
    in_local_env go run ./bench/stacks "${stacks_flags[@]}" || rc=$?
  fi
  return "$rc"
}

main "$@"
