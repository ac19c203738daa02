#!/usr/bin/env bash
# The pull-request check of one stack, on this machine: `pulumi preview` of STACK against the local
# cluster (hack/cluster.sh) and the local state backend, printed as plain text, refreshed first
# like the CI preview.
#
#   hack/preview.sh STACK [--diff] [--no-refresh] [--image REF] [-- PULUMI_ARGS...]
#
#   STACK          a stack of the project: dev, staging, prod (one per Pulumi.<stack>.yaml)
#   --diff         show every changed property (what the pull-request comment shows)
#   --no-refresh   skip the refresh of the state from the cluster before the preview
#   --image REF    preview with an existing image (REPO@sha256:...), e.g. the reference printed by
#                  `hack/images.sh app`, instead of building one from imageRepository
#   -- ARGS        passed to `pulumi preview` as they are (e.g. --expect-no-changes, --target URN)
#
# The environment (kubeconfig, Docker engine, tools on PATH, file backend under $MICROSTACK_PULUMI_STATE,
# passphrase) comes from hack/lib/pulumi-env.sh, which documents every variable. The stack is
# created in the local backend the first time; the working tree is never modified. Exits with the
# status of `pulumi preview` (2 for a usage error).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=hack/lib/pulumi-env.sh
source "$ROOT/hack/lib/pulumi-env.sh"

die() {
  printf 'hack/preview.sh: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# stack_builds STACK: does the stack file leave `image` empty, so that the program builds one?
stack_builds() {
  local value
  value=$(sed -nE 's/^[[:space:]]+microstack:image:[[:space:]]*(.*)$/\1/p' "$ROOT/Pulumi.$1.yaml")
  value=${value//[\"\']/}
  [[ -z ${value// /} ]]
}

# has_plugin NAME: is the resource plugin NAME installed in PULUMI_HOME (see hack/lib/pulumi-env.sh)?
has_plugin() {
  pulumi plugin ls --json 2>/dev/null | jq -e --arg n "$1" 'any(.[]; .name == $n and .kind == "resource")' >/dev/null
}

main() {
  local stack="" diff=0 refresh=true image="" config_file
  local -a extra=()
  while [[ $# -gt 0 ]]; do
    case $1 in
    --diff) diff=1 ;;
    --no-refresh) refresh=false ;;
    --image)
      [[ $# -ge 2 && -n $2 ]] || usage
      image=$2
      shift
      ;;
    --image=*) image=${1#--image=} ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
      [[ -z $stack ]] || usage
      stack=$1
      ;;
    esac
    shift
  done
  [[ -n $stack ]] || usage
  if [[ ! -f $ROOT/Pulumi.$stack.yaml ]]; then
    printf 'hack/preview.sh: unknown stack %q; stacks: %s\n' "$stack" "$(pulumi_stacks | paste -sd ' ' -)" >&2
    exit 2
  fi

  pulumi_local_env || die "cannot set up the local Pulumi environment"

  [[ -f $KUBECONFIG ]] || die "no kubeconfig at $KUBECONFIG: start the local cluster with hack/cluster.sh up"
  if command -v kubectl >/dev/null; then
    kubectl --request-timeout=10s get --raw=/readyz >/dev/null 2>&1 ||
      die "the local cluster does not answer (kubeconfig $KUBECONFIG): hack/cluster.sh status, hack/cluster.sh up"
  else
    printf 'hack/preview.sh: kubectl not found, not checking the cluster before the preview\n' >&2
  fi
  if [[ -z $image ]] && stack_builds "$stack" && ! has_plugin docker; then
    die "stack $stack builds its image (imageRepository) and the docker resource plugin is not installed;" \
      "preview an existing image instead: hack/preview.sh $stack --image \"\$(hack/images.sh app)\""
  fi

  config_file=$(pulumi_local_stack "$stack") || die "cannot prepare stack $stack"

  local -a args=(preview --stack "$stack" --config-file "$config_file" --non-interactive
    --color never --suppress-progress "--refresh=$refresh")
  ((diff)) && args+=(--diff)
  [[ -z $image ]] || args+=(--config "microstack:image=$image")

  printf '==> pulumi preview of stack %s (backend %s, kubeconfig %s%s)\n' "$stack" \
    "$PULUMI_BACKEND_URL" "$KUBECONFIG" "${image:+, image $image}" >&2
  cd "$ROOT"
  exec pulumi "${args[@]}" "${extra[@]}"
}

main "$@"
