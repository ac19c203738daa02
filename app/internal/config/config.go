package config

import (
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/microstack/microstack/internal/contract"
)

// Defaults used for unset variables (the port and message are the
// contract's).
const (
	// DefaultLogLevel is contract.DefaultLogLevel; a test keeps them equal.
	DefaultLogLevel          = slog.LevelInfo
	DefaultDrainDelay        = 5 * time.Second
	DefaultShutdownTimeout   = 10 * time.Second
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultWriteTimeout      = 10 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 16 << 10
)

// Bounds enforced by Load.
const (
	minPort = 1
	maxPort = 65535

	// Below 1 KiB ordinary browser and proxy headers no longer fit; above
	// 1 MiB a handful of clients can pin a lot of memory.
	minMaxHeaderBytes = 1 << 10
	maxMaxHeaderBytes = 1 << 20
)

// Config holds the validated settings of the service.
type Config struct {
	// Port is the TCP port to listen on, on all interfaces.
	Port int
	// Message is the text that GET / returns.
	Message string
	// LogLevel is the minimum level of log records that are written.
	LogLevel slog.Level
	// DrainDelay is how long the server keeps serving, with readiness
	// failing, after it is told to stop.
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests at shutdown.
	ShutdownTimeout time.Duration

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout and
	// MaxHeaderBytes set the net/http.Server fields of the same name.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int

	// PprofAddr is where a profiling build serves net/http/pprof, off the
	// service's own listener; empty means nowhere.
	PprofAddr string
}

// Default returns the configuration used when no variable is set.
func Default() Config {
	return Config{
		Port:              contract.DefaultPort,
		Message:           contract.DefaultMessage,
		LogLevel:          DefaultLogLevel,
		DrainDelay:        DefaultDrainDelay,
		ShutdownTimeout:   DefaultShutdownTimeout,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
	}
}

// Addr returns the listen address for net.Listen, e.g. ":8080".
func (c Config) Addr() string {
	return net.JoinHostPort("", strconv.Itoa(c.Port))
}

// LogValue implements slog.LogValuer so that the effective configuration
// can be logged at startup. Durations are rendered as strings because the
// JSON handler would otherwise print them as nanosecond integers.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("port", c.Port),
		slog.String("message", c.Message),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("drain_delay", c.DrainDelay.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("read_header_timeout", c.ReadHeaderTimeout.String()),
		slog.String("read_timeout", c.ReadTimeout.String()),
		slog.String("write_timeout", c.WriteTimeout.String()),
		slog.String("idle_timeout", c.IdleTimeout.String()),
		slog.Int("max_header_bytes", c.MaxHeaderBytes),
		slog.String("pprof_addr", c.PprofAddr),
	)
}
