#!/usr/bin/env bash
# End-to-end check of a running local environment (hack/cluster.sh up): builds a tiny HTTP server
# image on the local bases, deploys it with a readiness probe, exposes it as a ClusterIP Service,
# requests the ClusterIP from the host, reads pod metrics, then removes everything it created.
#
#   hack/cluster-smoke.sh [--keep]    --keep leaves the namespace in place
#
# Prints the measured times (image build, pods Ready, first answer, metrics). Traffic goes only to
# the Service's ClusterIP on this node, a bounded number of requests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$("$ROOT/hack/cluster.sh" env)"
NS=microstack-smoke
REPLICAS=2
REQUESTS=20
KEEP=0
[[ ${1:-} == --keep ]] && KEEP=1

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'hack/cluster-smoke.sh: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# A standard-library-only server: / answers with the pod name, /healthz for the probe.
write_app() {
  local dir=$1
  cat >"$dir/main.go" <<'EOF'
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	host, _ := os.Hostname()
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, "hello from %s\n", host) })
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
EOF
  printf 'module microstack.local/smoke\n\ngo 1.22\n' >"$dir/go.mod"
  cat >"$dir/Dockerfile" <<'EOF'
ARG BUILDER_IMAGE
ARG RUNTIME_IMAGE
FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
COPY go.mod main.go ./
RUN go build -trimpath -ldflags "-s -w" -o /out/server .
FROM ${RUNTIME_IMAGE}
COPY --from=build /out/server /server
EXPOSE 8080
ENTRYPOINT ["/server"]
EOF
}

build_image() {
  local dir ref
  dir=$(mktemp -d)
  write_app "$dir"
  ref=$MICROSTACK_REGISTRY/microstack/smoke:$(cat "$dir/main.go" "$dir/Dockerfile" | sha256sum | cut -c1-12)
  docker build -q --build-arg "BUILDER_IMAGE=$("$ROOT/hack/images.sh" ref go-builder)" \
    --build-arg "RUNTIME_IMAGE=$("$ROOT/hack/images.sh" ref static)" -t "$ref" "$dir" >/dev/null
  docker push -q "$ref" >/dev/null
  rm -rf "$dir"
  echo "$ref"
}

main() {
  local t ref ip body pods i seen
  t=$(now_ms)
  ref=$(build_image)
  log "image $ref built and pushed in $(secs_since "$t")s"

  kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
  kubectl create namespace "$NS" >/dev/null
  t=$(now_ms)
  # `create deployment` has no probe flags: its manifest gets the probe and resources before the
  # single apply, so the pods are created once.
  kubectl -n "$NS" create deployment smoke --image "$ref" --replicas "$REPLICAS" --port 8080 \
    --dry-run=client -o json |
    jq '.spec.template.spec.containers[0] += {
          readinessProbe: {httpGet: {path: "/healthz", port: 8080}, periodSeconds: 1},
          resources: {requests: {cpu: "10m", memory: "16Mi"}, limits: {memory: "64Mi"}}}' |
    kubectl apply -f - >/dev/null
  kubectl -n "$NS" rollout status deployment smoke --timeout 120s >/dev/null ||
    die "deployment not ready: $(kubectl -n "$NS" get pods -o wide)"
  log "$REPLICAS pods Ready in $(secs_since "$t")s"
  kubectl -n "$NS" get pods -o wide >&2

  kubectl -n "$NS" expose deployment smoke --port 80 --target-port 8080 >/dev/null
  ip=$(kubectl -n "$NS" get service smoke -o jsonpath='{.spec.clusterIP}')
  t=$(now_ms)
  timeout 30 bash -c "until curl -fsS --max-time 1 http://$ip/ >/dev/null 2>&1; do sleep 0.2; done" ||
    die "ClusterIP $ip does not answer"
  log "ClusterIP $ip answered after $(secs_since "$t")s"
  seen=""
  for ((i = 0; i < REQUESTS; i++)); do
    body=$(curl -fsS --max-time 2 "http://$ip/")
    seen+="${body##* }"$'\n'
  done
  pods=$(sort -u <<<"$seen" | grep -c .)
  log "$REQUESTS requests to http://$ip/ answered by $pods pod(s)"
  [[ $pods -ge 2 || $REPLICAS -lt 2 ]] || warn_spread "$seen"

  t=$(now_ms)
  timeout 120 bash -c "until kubectl -n $NS top pods --no-headers 2>/dev/null | grep -q smoke; do sleep 2; done" ||
    die "no pod metrics after 120s"
  log "pod metrics after $(secs_since "$t")s:"
  kubectl -n "$NS" top pods >&2

  if ((KEEP)); then
    log "kept namespace $NS"
  else
    kubectl delete namespace "$NS" --wait=true >/dev/null
  fi
  log "smoke test passed"
}

warn_spread() { printf 'warning: every request went to one pod:\n%s\n' "$1" >&2; }

main "$@"
