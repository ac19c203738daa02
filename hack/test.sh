#!/usr/bin/env bash
# test.sh runs every test of the project: static checks, unit tests and
# every fuzz target for a bounded time (no network, no cluster), then the
# end-to-end suite on the local environment of hack/cluster.sh, which it
# installs and starts as needed and stops again (restoring the host) when it
# started it.
#
#   hack/test.sh          everything
#   hack/test.sh unit     static checks, unit tests and fuzzing only
#   hack/test.sh e2e      the end-to-end suite only
#
#   MICROSTACK_FUZZTIME   time per fuzz target (default 10s; see hack/fuzz.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export GOTOOLCHAIN=local

# The whole end-to-end run, cluster start included, must end well inside CI's limit.
E2E_TIMEOUT=${MICROSTACK_E2E_TIMEOUT:-50m}

log() { printf '\n--- %s\n' "$*"; }

static_checks() {
	log "gofmt"
	local unformatted files
	mapfile -t files < <(git ls-files '*.go')
	unformatted=$(gofmt -l "${files[@]}")
	if [[ -n $unformatted ]]; then
		echo "gofmt would change:" "$unformatted" >&2
		return 1
	fi
	log "go vet"
	go vet ./...
	log "workflows (actionlint, shellcheck)"
	hack/lint-workflows.sh
}

unit_tests() {
	log "go test (unit)"
	go test -race -count=1 ./...
	log "fuzz (${MICROSTACK_FUZZTIME:-10s} per target)"
	hack/fuzz.sh
}

# cluster_running tells whether every service of the local environment is up already.
cluster_running() { ! hack/cluster.sh status | awk 'NR > 1 && $3 == "down"' | grep -q .; }

e2e_tests() {
	log "tools (cached by version under ~/.cache/microstack)"
	hack/tools.sh apt
	hack/tools.sh install
	# The alert rules' unit tests need promtool, which the tools step has just built.
	log "alert rules (promtool check rules, promtool test rules)"
	MICROSTACK_PROMTOOL=$(hack/tools.sh path promtool) go test -count=1 -v -run TestRulesWithPromtool ./infra/alerts/
	if cluster_running; then
		log "local cluster: already up, left running"
	else
		log "local cluster: starting"
		trap 'log "local cluster: stopping"; hack/cluster.sh down' EXIT
		hack/cluster.sh up
	fi
	eval "$(hack/cluster.sh env)"
	log "go test (end-to-end)"
	MICROSTACK_E2E=1 go test -count=1 -v -timeout "$E2E_TIMEOUT" ./e2e/
}

main() {
	case ${1:-all} in
	unit)
		static_checks
		unit_tests
		;;
	e2e)
		e2e_tests
		;;
	all)
		static_checks
		unit_tests
		e2e_tests
		;;
	*)
		echo "usage: $0 [all|unit|e2e]" >&2
		return 2
		;;
	esac
}

main "$@"
