# shellcheck shell=bash
# The Pulumi environment of the local cluster, in one place: hack/preview.sh and hack/deploy.sh
# source this file and call its functions, so both run the same CLI against the same state.
#
#   source hack/lib/pulumi-env.sh
#
#   pulumi_local_env          export the environment below; fails, saying why, when it cannot
#   pulumi_stacks             print the project's stacks, one per line: the <stack> of every
#                             Pulumi.<stack>.yaml at the repository root (CI builds its matrices
#                             from this list too)
#   pulumi_local_stack STACK  (after pulumi_local_env) make STACK exist in the local backend and
#                             select it; print the path of the stack config file to hand to
#                             pulumi with --config-file (see "Stack config" below)
#
# What pulumi_local_env exports:
#   KUBECONFIG, KUBECACHEDIR, DOCKER_HOST, DOCKER_BUILDKIT, MICROSTACK_REGISTRY,
#   MICROSTACK_KUBE_CONTEXT, PATH
#       from `hack/cluster.sh env`: the local cluster, its Docker engine and registry, and the
#       tools built by hack/tools.sh (pulumi and its Go language host among them)
#   PULUMI_BACKEND_URL=file://$MICROSTACK_PULUMI_STATE/pulumi
#       a local file backend (the directory is created); always set, whatever the caller had, so
#       that a local run can never write to a shared backend
#   PULUMI_CONFIG_PASSPHRASE=microstack-local
#       only when neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set. It
#       encrypts the secrets of the local stacks, which only ever describe the throwaway local
#       cluster; whoever sets a passphrase of their own must keep using it for those stacks
#   PULUMI_HOME=$MICROSTACK_PULUMI_STATE/pulumi-home
#       the CLI's own directory (plugins, selected stacks), apart from the user's ~/.pulumi
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true, PULUMI_IGNORE_AMBIENT_PLUGINS=true
#       plugins cannot be downloaded here: each resource plugin the program uses (an SDK in
#       go.mod) that hack/tools.sh has built is installed into PULUMI_HOME at the SDK's version.
#       The Kubernetes one is required; without the Docker one, stacks must deploy an existing
#       image (config `image`) rather than build one
#   PULUMI_SKIP_UPDATE_CHECK=true
#   PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true
#       see "Stack config"
#   MICROSTACK_STATE (default ~/.local/state/microstack), the state directory of hack/cluster.sh
#   MICROSTACK_PULUMI_STATE (default $MICROSTACK_STATE), the directory of the local backend, the
#       CLI's home and the private stack config copies; set it to keep a set of local stacks apart
#       from the usual ones on the same cluster (the end-to-end tests point it at their own)
#
# Stack config: the committed Pulumi.<stack>.yaml files carry no secrets-provider settings (CI
# chooses its own backend), and a local passphrase stack would otherwise add its `encryptionsalt`
# to them. So the local stacks are created outside the working tree, their secrets provider lives
# in the local state only, and every run reads a fresh private copy of the committed file,
# $MICROSTACK_PULUMI_STATE/pulumi-config/Pulumi.<stack>.yaml, passed with --config-file; Pulumi writes
# the salt (and any --config given to preview/up) into that copy, never into the repository.
# Values set with `pulumi config set` belong in the committed file; secrets encrypted for another
# backend cannot be read locally. The copy names the local cluster's context as the stack's
# kubeContext, so that a local preview or deploy of any stack file (prod's included) goes to the
# local cluster and nowhere else.
#
# The functions return non-zero with a message on stderr; they never exit the caller's shell.

_PULUMI_ENV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The passphrase of the local stacks when the caller sets none (not a secret: see above).
PULUMI_LOCAL_PASSPHRASE=microstack-local

_pulumi_env_err() { printf 'pulumi-env: %s\n' "$*" >&2; }

pulumi_stacks() {
  local file name
  for file in "$_PULUMI_ENV_ROOT"/Pulumi.*.yaml; do
    [[ -f $file ]] || continue
    name=${file##*/Pulumi.}
    printf '%s\n' "${name%.yaml}"
  done
}

pulumi_local_env() {
  local cluster_env
  cluster_env=$("$_PULUMI_ENV_ROOT/hack/cluster.sh" env) || {
    _pulumi_env_err "hack/cluster.sh env failed"
    return 1
  }
  eval "$cluster_env" || return 1

  export MICROSTACK_STATE=${MICROSTACK_STATE:-$HOME/.local/state/microstack}
  export MICROSTACK_PULUMI_STATE=${MICROSTACK_PULUMI_STATE:-$MICROSTACK_STATE}
  mkdir -p "$MICROSTACK_PULUMI_STATE/pulumi" || return 1
  export PULUMI_BACKEND_URL="file://$MICROSTACK_PULUMI_STATE/pulumi"
  if [[ -z ${PULUMI_CONFIG_PASSPHRASE+set} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
    export PULUMI_CONFIG_PASSPHRASE=$PULUMI_LOCAL_PASSPHRASE
  fi
  export PULUMI_HOME=$MICROSTACK_PULUMI_STATE/pulumi-home
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_IGNORE_AMBIENT_PLUGINS=true
  export PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true
  mkdir -p "$PULUMI_HOME" || return 1

  if ! command -v pulumi >/dev/null; then
    _pulumi_env_err "pulumi is not built: run hack/tools.sh install pulumi pulumi-language-go"
    return 1
  fi
  _pulumi_install_plugins
}

# _pulumi_sdk_plugins: "NAME VERSION" of every resource plugin the program's go.mod implies
# (github.com/pulumi/pulumi-NAME/sdk[/vN] vVERSION).
_pulumi_sdk_plugins() {
  sed -nE 's#^[[:space:]]*(require[[:space:]]+)?github\.com/pulumi/pulumi-([a-z0-9-]+)/sdk(/v[0-9]+)?[[:space:]]+v([^[:space:]]+).*$#\2 \4#p' \
    "$_PULUMI_ENV_ROOT/go.mod"
}

# _pulumi_install_plugins: install into PULUMI_HOME the resource plugins hack/tools.sh has built.
_pulumi_install_plugins() {
  local name version bin
  while read -r name version; do
    [[ ! -x $PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name ]] || continue
    if bin=$("$_PULUMI_ENV_ROOT/hack/tools.sh" path "pulumi-resource-$name" 2>/dev/null); then
      pulumi plugin install resource "$name" "$version" --file "$bin" >&2 || {
        _pulumi_env_err "could not install the $name plugin from $bin"
        return 1
      }
    elif [[ $name == kubernetes ]]; then
      _pulumi_env_err "pulumi-resource-kubernetes is not built: run hack/tools.sh install pulumi-resource-kubernetes"
      return 1
    fi
  done < <(_pulumi_sdk_plugins)
}

pulumi_local_stack() {
  local stack=${1:?usage: pulumi_local_stack STACK} src dir copy tmp
  src=$_PULUMI_ENV_ROOT/Pulumi.$stack.yaml
  if [[ ! -f $src ]]; then
    _pulumi_env_err "no stack '$stack': there is no Pulumi.$stack.yaml (stacks: $(pulumi_stacks | paste -sd ' ' -))"
    return 1
  fi
  if [[ ${PULUMI_BACKEND_URL:-} != file://* || -z ${MICROSTACK_PULUMI_STATE:-} ]]; then
    _pulumi_env_err "PULUMI_BACKEND_URL is not a local file backend; call pulumi_local_env first"
    return 1
  fi

  # Create the stack from a scratch directory holding only the project file: `pulumi stack init`
  # records the new stack's encryption salt in the stack file of the directory it runs in.
  if ! (cd "$_PULUMI_ENV_ROOT" && pulumi stack select "$stack" --non-interactive) >/dev/null 2>&1; then
    tmp=$(mktemp -d) || return 1
    cp "$_PULUMI_ENV_ROOT/Pulumi.yaml" "$tmp/" || {
      rm -rf "$tmp"
      return 1
    }
    if ! (cd "$tmp" && pulumi stack init "$stack" --secrets-provider passphrase --no-select --non-interactive) >&2; then
      rm -rf "$tmp"
      _pulumi_env_err "could not create stack '$stack' in $PULUMI_BACKEND_URL"
      return 1
    fi
    rm -rf "$tmp"
    (cd "$_PULUMI_ENV_ROOT" && pulumi stack select "$stack" --non-interactive) >&2 || return 1
  fi

  # The private copy: the committed file without the secrets-provider keys of other backends, and
  # with the local cluster's context as the stack's cluster, whatever cluster the file names.
  dir=$MICROSTACK_PULUMI_STATE/pulumi-config
  copy=$dir/Pulumi.$stack.yaml
  mkdir -p "$dir" || return 1
  sed -E -e '/^(secretsprovider|encryptedkey|encryptionsalt):/d' -e '/^  microstack:kubeContext:/d' \
    -e "s/^config:\$/config:\n  microstack:kubeContext: ${MICROSTACK_KUBE_CONTEXT:?}/" "$src" >"$copy" || return 1
  printf '%s\n' "$copy"
}
