#!/usr/bin/env bash
# rollout-report.sh says, after a failed `pulumi up` of STACK, which stack failed and why: the
# Deployment's conditions and each pod's reason, read from the stack's own cluster (its kubeContext),
# that the previous release keeps serving, what the failure stopped, and the way back. The deploy
# workflow runs it as the last step of a failed job.
#
#   hack/rollout-report.sh STACK [WHAT-THE-FAILURE-STOPPED]
set -uo pipefail

stack=${1:?usage: hack/rollout-report.sh STACK [WHAT-THE-FAILURE-STOPPED]}
stopped=${2:-the next environments}

setting() { pulumi config get "microstack:$1" --stack "$stack" 2>/dev/null; }

name=$(setting name) || true
name=${name:-microstack}
namespace=$(setting namespace) || true
namespace=${namespace:-$name-$stack}
context=$(setting kubeContext) || true

echo "::error title=pulumi up of $stack failed::The promotion stopped at $stack: $stopped not deployed." \
  "The previous release keeps serving (a new pod must be Ready before an old one goes)." \
  "Way back: revert the change on main (or restore the previous config) and push; a fixed release rolls forward the same way." \
  "README: Day two."
[[ -n $context ]] || {
  echo "stack $stack names no kubeContext: its config was refused before anything was touched"
  exit 0
}
kc() { kubectl --context "$context" --namespace "$namespace" --request-timeout 20s "$@"; }
echo "Deployment $namespace/$name, context $context:"
kc get deployment "$name" \
  -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}' || true
echo "Pods and their reasons:"
kc get pods -l "app.kubernetes.io/instance=$name-$stack" -o jsonpath='{range .items[*]}  {.metadata.name}:{range .status.containerStatuses[*]} ready={.ready} restarts={.restartCount} {.state.waiting.reason}{.state.terminated.reason} {.state.waiting.message}{end}{"\n"}{end}' || true
