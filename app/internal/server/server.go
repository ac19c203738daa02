package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/microstack/microstack/app/internal/buildinfo"
	"github.com/microstack/microstack/app/internal/config"
	"github.com/microstack/microstack/app/internal/requestlog"
)

// Server serves the service's HTTP API. Create one with New.
type Server struct {
	cfg     config.Config
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	// requestLog, if set, encodes request records in place of the
	// logger's handler.
	requestLog *requestlog.Writer

	// draining is set once shutdown begins; /readyz reads it on every
	// probe, concurrently with the shutdown sequence that sets it.
	draining atomic.Bool
}

// New returns a Server configured by cfg, which is assumed to have been
// validated by config.Load.
func New(cfg config.Config, opts ...Option) (*Server, error) {
	o := options{
		logger: slog.New(slog.DiscardHandler),
		build:  buildinfo.Get(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	m, err := newMetrics()
	if err != nil {
		return nil, fmt.Errorf("create metrics: %w", err)
	}
	s := &Server{cfg: cfg, log: o.logger, metrics: m, requestLog: o.requestLog}
	rt, err := s.routes(o)
	if err != nil {
		return nil, fmt.Errorf("register routes: %w", err)
	}
	s.handler = s.observe(s.closeWhenDraining(jsonErrors(rt)))
	return s, nil
}

// Handler returns the server's complete handler chain: routing, JSON
// error pages, logging and metrics.
func (s *Server) Handler() http.Handler {
	return s.handler
}
