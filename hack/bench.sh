#!/usr/bin/env bash
# The service's speed and size figures, on this machine: throughput and p50/p99 latency next to a
# bare net/http server answering the same bytes (bench/ceiling) at 1, 16 and 64 connections, idle
# and loaded memory, exec-to-ready time, a CPU profile under load and, given an image and a Docker
# engine, the image size; each figure against its target. See `go doc ./bench` for what is measured
# and how.
#
#   hack/bench.sh [BENCH_FLAGS...]     e.g. hack/bench.sh -image localhost:5001/microstack:dev
#
# Flags are those of `go run ./bench -h`; -strict makes a missed target fail the script. With wrk
# installed (apt-get install wrk) the largest point is repeated with it for comparison. The whole
# run takes about two minutes; the figures are only comparable when the load average, printed
# before and after, is well below the number of CPUs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export GOTOOLCHAIN=local

exec go run ./bench "$@"
