package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/microstack/microstack/app/internal/buildinfo"
	"github.com/microstack/microstack/app/internal/config"
	"github.com/microstack/microstack/app/internal/logwriter"
	"github.com/microstack/microstack/app/internal/server"
	"github.com/microstack/microstack/internal/contract"
)

// Exit codes; a distinct one for configuration errors lets an operator
// tell a bad ConfigMap from a crash at a glance in the pod status.
const (
	exitOK      = 0
	exitFailure = 1
	exitConfig  = 2
)

// Log batching: a line is written out at most logFlushInterval after it
// was logged, or as soon as logBufferSize bytes are waiting.
const (
	logBufferSize    = 64 << 10
	logFlushInterval = 100 * time.Millisecond
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	// Once the first signal has started the drain, give the signals back
	// their default action so that a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process-global parts, so that tests can drive it.
func run(ctx context.Context, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintf(stderr, "microstack: %v\n", err)
		return exitConfig
	}
	// Request logs reach stdout in batches rather than a write per line;
	// closing the writer on the way out writes whatever is left.
	logs := logwriter.New(stdout, logBufferSize, logFlushInterval)
	defer logs.Close()
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.PprofAddr != "" {
		stopProfiling, err := startProfiling(cfg.PprofAddr, logger)
		if err != nil {
			fmt.Fprintf(stderr, "microstack: %v\n", &config.VarError{Name: contract.EnvPprofAddr, Value: cfg.PprofAddr,
				Problem: "cannot be listened on (" + err.Error() + ")", Fix: "choose a free port, or unset it"})
			return exitConfig
		}
		defer stopProfiling()
	}
	build := buildinfo.Get()
	logger.Info("starting microstack",
		slog.String("version", build.Version),
		slog.String("commit", build.Commit),
		slog.String("go_version", build.GoVersion))

	srv, err := server.New(cfg, server.WithLogger(logger), server.WithRequestLog(logs), server.WithBuildInfo(build))
	if err != nil {
		logger.Error("cannot create server", slog.String("error", err.Error()))
		return exitFailure
	}
	if err := srv.Run(ctx); err != nil {
		logger.Error("server failed", slog.String("error", err.Error()))
		return exitFailure
	}
	return exitOK
}
