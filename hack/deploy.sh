#!/usr/bin/env bash
# deploy.sh deploys one stack (dev by default) with `pulumi up`, then prints the stack outputs and
# a curl that reaches the app.
#
#   hack/deploy.sh [STACK]
#
# Where it deploys (MICROSTACK_TARGET):
#   auto     (default) your current kubeconfig context when you have one, else the local cluster
#   current  your kubeconfig, your Pulumi backend and the stack's imageRepository: plain `pulumi up`
#            to the context the stack names (kubeContext, never the current one), the image built
#            and pushed by the program (pulumi-docker)
#   local    the local environment of hack/cluster.sh, started on demand: its registry on
#            localhost:5001, a file backend under $MICROSTACK_STATE (see hack/lib/pulumi-env.sh);
#            the image is built with its Docker engine and deployed by digest through the
#            program's `image` setting
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOCAL_CONTEXT=microstack-local

log() { printf '==> %s\n' "$*" >&2; }
die() {
	printf 'hack/deploy.sh: %s\n' "$*" >&2
	exit 1
}

# target picks where to deploy when MICROSTACK_TARGET does not say.
target() {
	local context
	case ${MICROSTACK_TARGET:-auto} in
	local | current) echo "$MICROSTACK_TARGET" ;;
	auto)
		context=$(kubectl config current-context 2>/dev/null || true)
		if [[ -n $context && $context != "$LOCAL_CONTEXT" ]] && command -v pulumi >/dev/null; then
			echo current
		else
			echo local
		fi
		;;
	*) die "MICROSTACK_TARGET=$MICROSTACK_TARGET: use auto, current or local" ;;
	esac
}

deploy_current() {
	local stack=$1
	log "deploying stack $stack to context $(kubectl config current-context)"
	pulumi stack select --create "$stack"
	pulumi up --yes --stack "$stack"
	print_access "$stack" "kubectl -n \$(pulumi stack output namespace --stack $stack) port-forward svc/\$(pulumi stack output serviceName --stack $stack) 8080:80 & curl -s http://127.0.0.1:8080/"
}

deploy_local() {
	local stack=$1 config ref ns svc ip port
	hack/tools.sh apt
	hack/tools.sh install
	hack/cluster.sh up
	# shellcheck source=hack/lib/pulumi-env.sh
	source hack/lib/pulumi-env.sh
	pulumi_local_env
	config=$(pulumi_local_stack "$stack")
	log "building the image with the local Docker engine"
	ref=$(hack/images.sh app "$stack")
	log "deploying stack $stack ($ref) to the local cluster"
	pulumi up --yes --non-interactive --stack "$stack" --config-file "$config" --config "microstack:image=$ref"
	ns=$(pulumi stack output namespace --stack "$stack")
	svc=$(pulumi stack output serviceName --stack "$stack")
	ip=$(kubectl -n "$ns" get svc "$svc" -o jsonpath='{.spec.clusterIP}')
	port=$(kubectl -n "$ns" get svc "$svc" -o jsonpath='{.spec.ports[0].port}')
	print_access "$stack" "curl -s http://$ip:$port/"
}

print_access() {
	local stack=$1 reach=$2
	echo
	pulumi stack output --stack "$stack"
	echo
	echo "Reach the app:"
	echo "  $reach"
}

main() {
	local stack=${1:-dev}
	[[ -f Pulumi.$stack.yaml ]] || die "no Pulumi.$stack.yaml: stacks are $(ls Pulumi.*.yaml | sed 's/Pulumi\.\(.*\)\.yaml/\1/' | paste -sd ' ')"
	case $(target) in
	current) deploy_current "$stack" ;;
	local) deploy_local "$stack" ;;
	esac
}

main "$@"
