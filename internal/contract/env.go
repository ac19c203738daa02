package contract

import "time"

// EnvPrefix begins the name of every variable the service reads; the
// program keeps the stack's own secret variables out of it.
const EnvPrefix = "APP_"

// Environment variables the service reads at start and the program sets
// through the ConfigMap (the timeouts of the HTTP server keep the
// service's defaults unless an operator sets them by hand).
const (
	EnvPort              = EnvPrefix + "PORT"
	EnvMessage           = EnvPrefix + "MESSAGE"
	EnvLogLevel          = EnvPrefix + "LOG_LEVEL"
	EnvDrainDelay        = EnvPrefix + "DRAIN_DELAY"
	EnvShutdownTimeout   = EnvPrefix + "SHUTDOWN_TIMEOUT"
	EnvReadHeaderTimeout = EnvPrefix + "READ_HEADER_TIMEOUT"
	EnvReadTimeout       = EnvPrefix + "READ_TIMEOUT"
	EnvWriteTimeout      = EnvPrefix + "WRITE_TIMEOUT"
	EnvIdleTimeout       = EnvPrefix + "IDLE_TIMEOUT"
	EnvMaxHeaderBytes    = EnvPrefix + "MAX_HEADER_BYTES"
	// EnvPprofAddr, in a build with the pprof tag, is where net/http/pprof
	// is served. The program never sets it: it is for profiling by hand
	// (and by the benchmark).
	EnvPprofAddr = EnvPrefix + "PPROF_ADDR"
)

// Values the service takes when a variable is unset; the program's
// defaults for the same settings start from them.
const (
	DefaultPort     = 8080
	DefaultMessage  = "Hello, World!"
	DefaultLogLevel = "info"
)

// Limits the service enforces at start; the program refuses a stack that
// breaks them at preview, before a pod could crash on them.
const (
	// MaxMessageBytes caps APP_MESSAGE: the message is a greeting, not a
	// payload, and a cap keeps a bad ConfigMap from bloating every response.
	MaxMessageBytes = 256
	// MaxDrainDelay and MaxShutdownTimeout: five minutes is far beyond any
	// endpoints-propagation delay or request duration; a larger value is
	// almost certainly a unit mistake.
	MaxDrainDelay      = 5 * time.Minute
	MaxShutdownTimeout = 5 * time.Minute
)

// LogLevels are the values APP_LOG_LEVEL accepts, least severe first.
func LogLevels() []string { return []string{"debug", "info", "warn", "error"} }
