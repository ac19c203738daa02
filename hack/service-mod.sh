#!/usr/bin/env bash
# Writes the service's own module files, app/service.mod and app/service.sum: the root go.mod
# and go.sum pruned to what ./app/... builds from, at the same versions. The image is built from
# them (the Dockerfile copies them as go.mod and go.sum), so a change to go.mod that only the
# Pulumi program needs (an SDK bump) leaves the build context, the image and its digest as they
# were. app/dockerfile_test.go fails when they are stale.
#
#   hack/service-mod.sh [DIR]   write service.mod and service.sum into DIR (default: app/)
#
# Works offline: every module it needs is the root module's, already in the module cache.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(cd "${1:-$ROOT/app}" && pwd)
cd "$ROOT"
export GOTOOLCHAIN=local GOOS=linux CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOWORK=off

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The service's sources as the image builds them: the packages of the build context, tests left out.
git ls-files --cached --others --exclude-standard -- app internal/contract |
  grep '\.go$' | grep -v '_test\.go$' | while read -r file; do
  mkdir -p "$work/${file%/*}"
  cp "$file" "$work/$file"
done

# The modules that provide its packages, at the root's versions; tidy adds what their graphs need.
{
  echo "module $(go list -m)"
  echo
  echo "go $(go list -m -f '{{.GoVersion}}')"
  echo
  echo "require ("
  go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./app/... |
    sort -u | sed 's/^/\t/'
  echo ")"
} >"$work/go.mod"
cp go.sum "$work/go.sum"
# tidy writes go.mod (direct and indirect requirements). -e: it also looks for the test
# dependencies of the modules' own packages, which the service never builds and the module cache
# need not hold; so its go.sum depends on what the cache holds, and go.sum is made anew below.
(cd "$work" && go mod tidy -e 2>/dev/null)
# go.sum: exactly the lines the build reads, taken from the cache, each of which the root go.sum
# must hold with the same hash (the checksum database vouched for them there).
: >"$work/go.sum"
(cd "$work" && GOSUMDB=off go build -o /dev/null ./app)
sort -o "$work/go.sum" "$work/go.sum"
if unvouched=$(grep -Fxv -f go.sum "$work/go.sum"); then
  echo "hack/service-mod.sh: these lines are not in go.sum:" >&2
  echo "$unvouched" >&2
  exit 1
fi
(cd "$work" && GOFLAGS=-mod=readonly go build -o /dev/null ./app)
cp "$work/go.mod" "$OUT/service.mod"
cp "$work/go.sum" "$OUT/service.sum"
