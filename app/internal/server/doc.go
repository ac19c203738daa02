// Package server implements the service's HTTP server: its routes, the
// middleware that logs and measures every request, and the shutdown
// sequence that lets Kubernetes drain a pod without dropping requests.
//
// Routes:
//
//	GET /         {"message": APP_MESSAGE}
//	GET /healthz  liveness: 200 while the process is running
//	GET /readyz   readiness: 200, or 503 once shutdown has begun
//	GET /version  build version, commit and Go version
//	GET /metrics  Prometheus metrics from the server's own registry
//
// HEAD is accepted wherever GET is. Unknown paths get a JSON 404, known
// paths with the wrong method a JSON 405 with an Allow header.
//
// A Server owns all of its state, including its Prometheus registry, so
// several can run in one process, as they do in tests.
package server
