//go:build pprof

package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startProfiling serves net/http/pprof on addr, off the service's own
// listener and out of its routes and metrics, until stop is called. Only a
// build with the pprof tag has it:
//
//	go build -tags pprof -o microstack-pprof ./app
//
// The image is built without it.
func startProfiling(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// A profile may take as long as it asks for; its headers may not.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		// If the profiling listener fails, the service goes on without it.
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof listener failed", slog.String("error", err.Error()))
		}
	}()
	logger.Info("serving net/http/pprof", slog.String("addr", ln.Addr().String()))
	return func() { _ = srv.Close() }, nil
}
