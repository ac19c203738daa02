package server

import (
	"fmt"
	"net/http"

	"github.com/microstack/microstack/internal/contract"
)

// Route patterns. They double as the "route" metrics label, which keeps
// its cardinality bounded no matter which paths clients request.
const (
	patternHello   = "GET /{$}"
	patternHealthz = "GET " + contract.LivenessPath
	patternReadyz  = "GET " + contract.ReadinessPath
	patternVersion = "GET /version"
	patternMetrics = "GET " + contract.MetricsPath

	// routeUnmatched labels requests that matched no pattern.
	routeUnmatched = "unmatched"
)

// routes builds the ServeMux. Every response body that does not change
// while the server runs is encoded here, once.
func (s *Server) routes(o options) (router, error) {
	hello, err := newHelloHandler(s.cfg.Message)
	if err != nil {
		return router{}, err
	}
	health, err := newJSONResponse(http.StatusOK, statusBody{"ok"})
	if err != nil {
		return router{}, fmt.Errorf("encode health response: %w", err)
	}
	ready, err := newReadiness(&s.draining)
	if err != nil {
		return router{}, err
	}
	version, err := newJSONResponse(http.StatusOK, o.build)
	if err != nil {
		return router{}, fmt.Errorf("encode version response: %w", err)
	}

	all := append([]route{
		{patternHello, hello},
		{patternHealthz, health},
		{patternReadyz, ready},
		{patternVersion, version},
		{patternMetrics, s.metrics.handler(s.log)},
	}, o.routes...)
	return newRouter(all), nil
}
