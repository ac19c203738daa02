//go:build !pprof

package main

import (
	"log/slog"

	"github.com/microstack/microstack/internal/contract"
)

// startProfiling, in a build without the pprof tag, serves nothing: the
// address is valid, the endpoints are just not built in.
func startProfiling(addr string, logger *slog.Logger) (stop func(), err error) {
	logger.Warn("this build has no net/http/pprof (build with -tags pprof); ignoring "+contract.EnvPprofAddr,
		slog.String("addr", addr))
	return func() {}, nil
}
