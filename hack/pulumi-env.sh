#!/usr/bin/env bash
# Prints the local Pulumi environment of hack/lib/pulumi-env.sh for programs that cannot source a
# shell library: the end-to-end tests and the stacks bench read it through internal/pulumienv, so
# every local run (scripts, tests, bench) uses one definition of the backend, home, passphrase and
# plugins.
#
#   MICROSTACK_PULUMI_STATE=DIR hack/pulumi-env.sh env
#       set up the environment with its state in DIR (backend, home, the SDKs' plugins installed)
#       and print it, NUL-separated NAME=VALUE pairs
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=hack/lib/pulumi-env.sh
source "$ROOT/hack/lib/pulumi-env.sh"

case ${1:-} in
env)
  pulumi_local_env
  env -0
  ;;
*)
  echo "usage: MICROSTACK_PULUMI_STATE=DIR $0 env" >&2
  exit 2
  ;;
esac
