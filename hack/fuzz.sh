#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each: the service's config loader and
# handlers, the stack config loader, and any target added later, found with
# `go test -list 'Fuzz.*'` in every package that has tests.
#
#   hack/fuzz.sh [PACKAGE...]      default: ./...
#
#   MICROSTACK_FUZZTIME   time per target, a go test -fuzztime value (default 10s)
#
# A failing input is written by go test to the package's testdata/fuzz/<Target>/ and from then on
# runs as a regression case in every plain `go test`: commit it with the fix. Exits non-zero if any
# target failed, after running all of them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export GOTOOLCHAIN=local

FUZZTIME=${MICROSTACK_FUZZTIME:-10s}
(($# > 0)) || set -- ./...

mapfile -t packages < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' "$@")

failed=()
ran=0
for pkg in "${packages[@]}"; do
	[[ -n $pkg ]] || continue
	mapfile -t targets < <(go test -list 'Fuzz.*' "$pkg" | grep '^Fuzz' || true)
	for target in "${targets[@]}"; do
		[[ -n $target ]] || continue
		printf '\n--- %s %s (%s)\n' "$pkg" "$target" "$FUZZTIME"
		ran=$((ran + 1))
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg"; then
			failed+=("$pkg $target")
		fi
	done
done

printf '\n%d fuzz targets run for %s each\n' "$ran" "$FUZZTIME"
if ((${#failed[@]} > 0)); then
	printf 'failed (inputs saved under the package'"'"'s testdata/fuzz/):\n' >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
