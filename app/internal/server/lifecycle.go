package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/microstack/microstack/app/internal/config"
	"github.com/microstack/microstack/app/internal/deadline"
)

// Run listens on the configured port and serves until ctx is cancelled,
// then shuts down as Serve describes.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr(), err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled and then shuts down in three
// phases:
//
//  1. /readyz starts failing at once, so Kubernetes removes the pod from
//     its Service endpoints.
//  2. The server keeps serving for the configured drain delay, because
//     endpoint removal takes a while to reach every proxy and load
//     balancer, which meanwhile still send traffic here.
//  3. The listener closes and the server waits, at most the configured
//     shutdown timeout, for in-flight requests.
//
// Serve returns nil after a clean shutdown and an error if serving failed
// or requests were still running when the timeout expired. Serve takes
// ownership of ln and must be called at most once per Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	addr := ln.Addr().String()
	errc := make(chan error, 1)
	// The timeouts' deadlines are enforced by a sweep rather than a
	// runtime timer per request (see package deadline).
	swept := deadline.NewListener(ln, deadlineResolution(s.cfg))
	go func() { errc <- srv.Serve(swept) }()
	s.log.Info("server listening", slog.String("addr", addr), slog.Any("config", s.cfg))

	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}
	if err := s.drain(srv, errc); err != nil {
		return err
	}
	return s.shutdown(srv, errc)
}

// Bounds of the resolution at which the timeouts are enforced: a tenth of
// the shortest timeout, so that none fires more than 10% late, but no
// sweep more often than every minDeadlineResolution and none less often
// than every maxDeadlineResolution.
const (
	minDeadlineResolution = 10 * time.Millisecond
	maxDeadlineResolution = 250 * time.Millisecond
)

// deadlineResolution returns the resolution of cfg's timeouts.
func deadlineResolution(cfg config.Config) time.Duration {
	shortest := min(cfg.ReadHeaderTimeout, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout)
	return min(max(shortest/10, minDeadlineResolution), maxDeadlineResolution)
}

func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// drain fails readiness and keeps serving for the drain delay.
func (s *Server) drain(srv *http.Server, errc <-chan error) error {
	// From here every response asks its client to close the connection
	// (see closeWhenDraining), so keep-alive clients reconnect to pods that
	// are staying.
	s.draining.Store(true)
	s.log.Info("shutdown requested, draining", slog.String("drain_delay", s.cfg.DrainDelay.String()))

	timer := time.NewTimer(s.cfg.DrainDelay)
	defer timer.Stop()
	select {
	case err := <-errc:
		return fmt.Errorf("serve while draining: %w", err)
	case <-timer.C:
		return nil
	}
}

// shutdown stops accepting connections and waits for in-flight requests.
func (s *Server) shutdown(srv *http.Server, errc <-chan error) error {
	s.log.Info("drain complete, waiting for in-flight requests",
		slog.String("shutdown_timeout", s.cfg.ShutdownTimeout.String()))

	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		// Cut the stragglers off so the process can exit now rather
		// than when the kubelet loses patience.
		closeErr := srv.Close()
		return errors.Join(
			fmt.Errorf("shutdown: requests still in flight after %s: %w", s.cfg.ShutdownTimeout, err),
			closeErr,
		)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("server stopped")
	return nil
}
