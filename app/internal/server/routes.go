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
func (s *Server) routes(o options) (*http.ServeMux, error) {
	hello, err := newHelloHandler(s.cfg.Message)
	if err != nil {
		return nil, err
	}
	health, err := newJSONResponse(http.StatusOK, statusBody{"ok"})
	if err != nil {
		return nil, fmt.Errorf("encode health response: %w", err)
	}
	ready, err := newReadiness(&s.draining)
	if err != nil {
		return nil, err
	}
	version, err := newJSONResponse(http.StatusOK, o.build)
	if err != nil {
		return nil, fmt.Errorf("encode version response: %w", err)
	}

	mux := http.NewServeMux()
	mux.Handle(patternHello, hello)
	mux.Handle(patternHealthz, health)
	mux.Handle(patternReadyz, ready)
	mux.Handle(patternVersion, version)
	mux.Handle(patternMetrics, s.metrics.handler(s.log))
	for _, r := range o.routes {
		mux.Handle(r.pattern, r.handler)
	}
	return mux, nil
}
