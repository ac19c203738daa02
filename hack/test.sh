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
# The end-to-end tests mostly wait on rollouts, so they run side by side, each on stacks and
# namespaces of its own (go test's default is one per core). TestAPIServerOutage alone runs first.
E2E_PARALLEL=${MICROSTACK_E2E_PARALLEL:-10}

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

# SDK_DEPS matches the modules whose instrumented compile would double a cold machine's build: the
# Pulumi SDKs and client-go. Packages whose tests link none of them run under the race detector.
SDK_DEPS='^(github\.com/pulumi/|k8s\.io/client-go/)'

# test_packages KIND prints the packages with tests whose test binaries link the SDKs (KIND=sdk),
# or link none of them (KIND=own).
test_packages() {
	go list -test -f '{{.ImportPath}} {{join .Deps " "}}' ./... | awk -v kind="$1" -v re="$SDK_DEPS" '
		$1 ~ /\.test$/ {
			k = "own"
			for (i = 2; i <= NF; i++) if ($i ~ re) { k = "sdk"; break }
			if (k == kind) print substr($1, 1, length($1) - 5)
		}'
}

unit_tests() {
	# The race detector watches the code with concurrency of its own: the service, its bench and
	# load generator, the shared helpers, the stack config. The Pulumi program's tests, which run
	# under the SDK's mocks, and the helpers that link client-go run without it: instrumenting the
	# SDKs as well would compile them twice on a new machine, for code of theirs, not ours.
	local -a own sdk
	mapfile -t own < <(test_packages own)
	mapfile -t sdk < <(test_packages sdk)
	log "go test -race (unit: ${#own[@]} packages)"
	go test -race -count=1 "${own[@]}"
	log "go test (unit, the program and the helpers that link the SDKs: ${#sdk[@]} packages)"
	go test -count=1 "${sdk[@]}"
	log "go test (unit, the profiling build)"
	go test -race -count=1 -tags pprof -run 'Profiling|Pprof' ./app/
	log "fuzz (${MICROSTACK_FUZZTIME:-10s} per target)"
	hack/fuzz.sh
}

# cluster_running tells whether every service of the local environment is up already.
cluster_running() { ! hack/cluster.sh status | awk 'NR > 1 && $3 == "down"' | grep -q .; }

# install_tools installs the Debian packages and builds the tools that are not cached yet.
install_tools() {
	hack/tools.sh apt
	hack/tools.sh install
}

# TOOLS_LOG, when set, names the log of a tool build already started in the background.
TOOLS_LOG=""
TOOLS_PID=""

# start_tools builds the tools in the background while the unit layer runs: on a new machine
# the builds wait on downloads and links for a good part of their time. What the static checks
# need (the Debian packages, actionlint) comes first, so that no tool is built twice at once.
start_tools() {
	log "tools: Debian packages and actionlint"
	hack/tools.sh apt
	hack/tools.sh install actionlint
	TOOLS_LOG=$(mktemp)
	hack/tools.sh install >"$TOOLS_LOG" 2>&1 &
	TOOLS_PID=$!
	trap 'kill "$TOOLS_PID" 2>/dev/null || true' EXIT
	log "tools: building the rest in the background (log: $TOOLS_LOG)"
}

# tools_ready waits for the background build, or builds here when none was started.
tools_ready() {
	log "tools (cached by version under ~/.cache/microstack)"
	if [[ -z $TOOLS_PID ]]; then
		install_tools
		return
	fi
	local status=0
	wait "$TOOLS_PID" || status=$?
	cat "$TOOLS_LOG"
	rm -f "$TOOLS_LOG"
	return "$status"
}

e2e_tests() {
	tools_ready
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
	# The Pulumi program, built once for every test's previews and ups (see e2e/program_test.go).
	local program
	program=$(mktemp -d)/microstack-infra
	go build -o "$program" ./infra
	log "go test (end-to-end)"
	local status=0
	MICROSTACK_PULUMI_GO_BINARY=$program MICROSTACK_E2E=1 go test -count=1 -v -parallel "$E2E_PARALLEL" -timeout "$E2E_TIMEOUT" ./e2e/ || status=$?
	rm -rf "${program%/*}"
	return "$status"
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
		start_tools
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
