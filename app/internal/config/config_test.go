package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/microstack/microstack/internal/contract"
)

// env returns a lookup function backed by a map, standing in for
// os.LookupEnv.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// varErrors flattens the error tree returned by Load into its VarErrors.
func varErrors(err error) []*VarError {
	var out []*VarError
	var walk func(error)
	walk = func(err error) {
		switch u := err.(type) {
		case *VarError:
			out = append(out, u)
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

func TestDefaultMatchesDocumentedValues(t *testing.T) {
	// Written out literally so that a changed constant fails here and
	// prompts an update of doc.go and of the deployment.
	want := Config{
		Port:              8080,
		Message:           "Hello, World!",
		LogLevel:          slog.LevelInfo,
		DrainDelay:        5 * time.Second,
		ShutdownTimeout:   10 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16384,
	}
	if got := Default(); got != want {
		t.Errorf("Default() = %+v, want %+v", got, want)
	}
}

func TestLoadValid(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		mutate func(*Config)
	}{
		{"no variables", nil, func(*Config) {}},
		{"unknown APP_ variables are ignored", map[string]string{"APP_COLOR": "blue", "APP_PORT_X": "x"}, func(*Config) {}},
		{"port lower bound", map[string]string{contract.EnvPort: "1"}, func(c *Config) { c.Port = 1 }},
		{"port upper bound", map[string]string{contract.EnvPort: "65535"}, func(c *Config) { c.Port = 65535 }},
		{"port with whitespace", map[string]string{contract.EnvPort: " 9090\n"}, func(c *Config) { c.Port = 9090 }},
		{"message", map[string]string{contract.EnvMessage: "Bonjour"}, func(c *Config) { c.Message = "Bonjour" }},
		{"message kept verbatim", map[string]string{contract.EnvMessage: " hi "}, func(c *Config) { c.Message = " hi " }},
		{"message unicode", map[string]string{contract.EnvMessage: "héllo, 世界 👋"}, func(c *Config) { c.Message = "héllo, 世界 👋" }},
		{"message at limit", map[string]string{contract.EnvMessage: strings.Repeat("a", 256)}, func(c *Config) { c.Message = strings.Repeat("a", 256) }},
		{"log level debug", map[string]string{contract.EnvLogLevel: "debug"}, func(c *Config) { c.LogLevel = slog.LevelDebug }},
		{"log level upper case", map[string]string{contract.EnvLogLevel: "WARN"}, func(c *Config) { c.LogLevel = slog.LevelWarn }},
		{"log level error", map[string]string{contract.EnvLogLevel: "error"}, func(c *Config) { c.LogLevel = slog.LevelError }},
		{"log level info", map[string]string{contract.EnvLogLevel: "Info"}, func(c *Config) { c.LogLevel = slog.LevelInfo }},
		{"drain delay zero", map[string]string{contract.EnvDrainDelay: "0s"}, func(c *Config) { c.DrainDelay = 0 }},
		{"drain delay bare zero", map[string]string{contract.EnvDrainDelay: "0"}, func(c *Config) { c.DrainDelay = 0 }},
		{"drain delay at limit", map[string]string{contract.EnvDrainDelay: "5m"}, func(c *Config) { c.DrainDelay = 5 * time.Minute }},
		{"shutdown timeout small", map[string]string{contract.EnvShutdownTimeout: "1ms"}, func(c *Config) { c.ShutdownTimeout = time.Millisecond }},
		{"shutdown timeout at limit", map[string]string{contract.EnvShutdownTimeout: "300s"}, func(c *Config) { c.ShutdownTimeout = 5 * time.Minute }},
		{"read header timeout", map[string]string{contract.EnvReadHeaderTimeout: "2s"}, func(c *Config) { c.ReadHeaderTimeout = 2 * time.Second }},
		{"read timeout", map[string]string{contract.EnvReadTimeout: "1m30s"}, func(c *Config) { c.ReadTimeout = 90 * time.Second }},
		{"write timeout", map[string]string{contract.EnvWriteTimeout: "250ms"}, func(c *Config) { c.WriteTimeout = 250 * time.Millisecond }},
		{"idle timeout", map[string]string{contract.EnvIdleTimeout: "2h"}, func(c *Config) { c.IdleTimeout = 2 * time.Hour }},
		{"max header bytes lower bound", map[string]string{contract.EnvMaxHeaderBytes: "1024"}, func(c *Config) { c.MaxHeaderBytes = 1024 }},
		{"pprof address", map[string]string{contract.EnvPprofAddr: "127.0.0.1:6060"}, func(c *Config) { c.PprofAddr = "127.0.0.1:6060" }},
		{"pprof any interface, any port", map[string]string{contract.EnvPprofAddr: " :0 "}, func(c *Config) { c.PprofAddr = ":0" }},
		{"max header bytes upper bound", map[string]string{contract.EnvMaxHeaderBytes: "1048576"}, func(c *Config) { c.MaxHeaderBytes = 1 << 20 }},
		{
			"every variable",
			map[string]string{
				contract.EnvPort: "3000", contract.EnvMessage: "hey", contract.EnvLogLevel: "debug",
				contract.EnvDrainDelay: "1s", contract.EnvShutdownTimeout: "2s", contract.EnvReadHeaderTimeout: "3s",
				contract.EnvReadTimeout: "4s", contract.EnvWriteTimeout: "5s", contract.EnvIdleTimeout: "6s",
				contract.EnvMaxHeaderBytes: "2048",
			},
			func(c *Config) {
				*c = Config{
					Port: 3000, Message: "hey", LogLevel: slog.LevelDebug,
					DrainDelay: time.Second, ShutdownTimeout: 2 * time.Second,
					ReadHeaderTimeout: 3 * time.Second, ReadTimeout: 4 * time.Second,
					WriteTimeout: 5 * time.Second, IdleTimeout: 6 * time.Second,
					MaxHeaderBytes: 2048,
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Default()
			tt.mutate(&want)
			got, err := Load(env(tt.env))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if got != want {
				t.Errorf("Load() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name        string
		value       string
		variable    string
		wantProblem string
	}{
		{"port not a number", "http", contract.EnvPort, "is not an integer"},
		{"pprof port alone", "6060", contract.EnvPprofAddr, "is not HOST:PORT"},
		{"pprof port by name", "localhost:http", contract.EnvPprofAddr, "has no port from 0 to 65535"},
		{"pprof port too large", "127.0.0.1:70000", contract.EnvPprofAddr, "has no port from 0 to 65535"},
		{"pprof blank", " ", contract.EnvPprofAddr, "is empty"},
		{"port zero", "0", contract.EnvPort, "is out of range"},
		{"port too large", "99999", contract.EnvPort, "is out of range"},
		{"port overflows int", "99999999999999999999999", contract.EnvPort, "is out of range"},
		{"port empty", "", contract.EnvPort, "is empty"},
		{"port blank", "  ", contract.EnvPort, "is empty"},
		{"message empty", "", contract.EnvMessage, "is empty"},
		{"message too long", strings.Repeat("x", 257), contract.EnvMessage, "is too long (257 bytes)"},
		{"message invalid utf-8", "caf\xe9", contract.EnvMessage, "is not valid UTF-8"},
		{"log level unknown", "verbose", contract.EnvLogLevel, "is not a log level"},
		{"log level offset form", "INFO+2", contract.EnvLogLevel, "is not a log level"},
		{"drain delay without unit", "5", contract.EnvDrainDelay, "is not a Go duration"},
		{"drain delay negative", "-1s", contract.EnvDrainDelay, "is out of range"},
		{"drain delay too long", "6m", contract.EnvDrainDelay, "is out of range"},
		{"shutdown timeout zero", "0s", contract.EnvShutdownTimeout, "is out of range"},
		{"shutdown timeout too long", "5m1s", contract.EnvShutdownTimeout, "is out of range"},
		{"read header timeout zero", "0", contract.EnvReadHeaderTimeout, "is out of range"},
		{"read timeout garbage", "ten seconds", contract.EnvReadTimeout, "is not a Go duration"},
		{"write timeout negative", "-10s", contract.EnvWriteTimeout, "is out of range"},
		{"idle timeout overflow", "9999999999h", contract.EnvIdleTimeout, "is not a Go duration"},
		{"max header bytes too small", "1023", contract.EnvMaxHeaderBytes, "is out of range"},
		{"max header bytes too large", "1048577", contract.EnvMaxHeaderBytes, "is out of range"},
		{"max header bytes with unit", "16KiB", contract.EnvMaxHeaderBytes, "is not an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(env(map[string]string{tt.variable: tt.value}))
			if err == nil {
				t.Fatalf("Load() = %+v, want an error naming %s", got, tt.variable)
			}
			if got != (Config{}) {
				t.Errorf("Load() config = %+v, want the zero Config on error", got)
			}
			errs := varErrors(err)
			if len(errs) != 1 {
				t.Fatalf("Load() returned %d VarErrors, want 1: %v", len(errs), err)
			}
			if errs[0].Name != tt.variable {
				t.Errorf("VarError.Name = %q, want %q", errs[0].Name, tt.variable)
			}
			if errs[0].Problem != tt.wantProblem {
				t.Errorf("VarError.Problem = %q, want %q", errs[0].Problem, tt.wantProblem)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.variable+": ") || !strings.Contains(msg, ": set ") {
				t.Errorf("error %q does not name %s and a fix", msg, tt.variable)
			}
		})
	}
}

func TestLoadReportsAllErrors(t *testing.T) {
	vars := map[string]string{
		contract.EnvPort:              "99999",
		contract.EnvMessage:           "",
		contract.EnvLogLevel:          "loud",
		contract.EnvDrainDelay:        "forever",
		contract.EnvShutdownTimeout:   "0s",
		contract.EnvReadHeaderTimeout: "-1s",
		contract.EnvReadTimeout:       "x",
		contract.EnvWriteTimeout:      "0",
		contract.EnvIdleTimeout:       "1",
		contract.EnvMaxHeaderBytes:    "1",
	}
	_, err := Load(env(vars))
	if err == nil {
		t.Fatal("Load() error = nil, want one error per variable")
	}
	seen := map[string]bool{}
	for _, ve := range varErrors(err) {
		seen[ve.Name] = true
	}
	for name := range vars {
		if !seen[name] {
			t.Errorf("error does not report %s:\n%v", name, err)
		}
	}
	if n := len(varErrors(err)); n != len(vars) {
		t.Errorf("got %d VarErrors, want %d", n, len(vars))
	}
}

func TestVarErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *VarError
		want string
	}{
		{
			"documented example",
			&VarError{Name: contract.EnvPort, Value: "99999", Problem: "is out of range", Fix: "set an integer from 1 to 65535"},
			`APP_PORT: "99999" is out of range: set an integer from 1 to 65535`,
		},
		{
			"control characters stay visible",
			&VarError{Name: contract.EnvLogLevel, Value: "info\n\x00", Problem: "is not a log level", Fix: "set one of debug, info, warn, error"},
			`APP_LOG_LEVEL: "info\n\x00" is not a log level: set one of debug, info, warn, error`,
		},
		{
			"long values are truncated",
			&VarError{Name: contract.EnvMessage, Value: strings.Repeat("y", 300), Problem: "is too long (300 bytes)", Fix: "set 1 to 256 bytes of UTF-8 text"},
			`APP_MESSAGE: "` + strings.Repeat("y", 64) + `"... (300 bytes) is too long (300 bytes): set 1 to 256 bytes of UTF-8 text`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadErrorFixesAreValid(t *testing.T) {
	// Each fix names a valid example; feeding it back must succeed, or
	// the hint would send operators in a circle.
	tests := []struct {
		variable, bad, example string
	}{
		{contract.EnvDrainDelay, "1", "5s"},
		{contract.EnvShutdownTimeout, "1", "10s"},
		{contract.EnvIdleTimeout, "1", "1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			_, err := Load(env(map[string]string{tt.variable: tt.bad}))
			if err == nil || !strings.Contains(err.Error(), "such as "+tt.example) {
				t.Fatalf("error %v does not suggest %q", err, tt.example)
			}
			if _, err := Load(env(map[string]string{tt.variable: tt.example})); err != nil {
				t.Errorf("suggested value %q rejected: %v", tt.example, err)
			}
		})
	}
}

func TestAddr(t *testing.T) {
	tests := []struct {
		port int
		want string
	}{
		{8080, ":8080"},
		{1, ":1"},
	}
	for _, tt := range tests {
		c := Default()
		c.Port = tt.port
		if got := c.Addr(); got != tt.want {
			t.Errorf("Addr() with port %d = %q, want %q", tt.port, got, tt.want)
		}
	}
}

// TestDefaultsFollowTheContract keeps the service's typed defaults equal to
// the contract's, which the program deploys with.
func TestDefaultsFollowTheContract(t *testing.T) {
	c := Default()
	if c.Port != contract.DefaultPort || c.Message != contract.DefaultMessage {
		t.Errorf("Default() port %d, message %q; the contract says %d, %q", c.Port, c.Message, contract.DefaultPort, contract.DefaultMessage)
	}
	if got := strings.ToLower(DefaultLogLevel.String()); got != contract.DefaultLogLevel {
		t.Errorf("DefaultLogLevel = %s, the contract says %s", got, contract.DefaultLogLevel)
	}
	for _, level := range contract.LogLevels() {
		if _, err := Load(env(map[string]string{contract.EnvLogLevel: level})); err != nil {
			t.Errorf("the contract's log level %q is refused: %v", level, err)
		}
	}
}
