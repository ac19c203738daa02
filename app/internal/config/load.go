package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microstack/microstack/internal/contract"
)

// Load reads the configuration through lookup, which has the signature of
// os.LookupEnv so that tests can pass a map instead of the real environment.
// It validates every variable and, if any is invalid, returns the zero
// Config and an error joining one *VarError per invalid variable.
func Load(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	l := loader{lookup: lookup}

	l.intVar(&c.Port, contract.EnvPort, minPort, maxPort)
	l.messageVar(&c.Message, contract.EnvMessage)
	l.levelVar(&c.LogLevel, contract.EnvLogLevel)
	l.durationVar(&c.DrainDelay, contract.EnvDrainDelay, durationRule{allowZero: true, max: contract.MaxDrainDelay})
	l.durationVar(&c.ShutdownTimeout, contract.EnvShutdownTimeout, durationRule{max: contract.MaxShutdownTimeout})
	l.durationVar(&c.ReadHeaderTimeout, contract.EnvReadHeaderTimeout, durationRule{})
	l.durationVar(&c.ReadTimeout, contract.EnvReadTimeout, durationRule{})
	l.durationVar(&c.WriteTimeout, contract.EnvWriteTimeout, durationRule{})
	l.durationVar(&c.IdleTimeout, contract.EnvIdleTimeout, durationRule{})
	l.intVar(&c.MaxHeaderBytes, contract.EnvMaxHeaderBytes, minMaxHeaderBytes, maxMaxHeaderBytes)
	l.addrVar(&c.PprofAddr, contract.EnvPprofAddr)

	if err := errors.Join(l.errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}

// loader collects every validation failure instead of stopping at the
// first, so an operator can fix a broken ConfigMap in one round trip.
type loader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (l *loader) fail(name, value, problem, fix string) {
	l.errs = append(l.errs, &VarError{Name: name, Value: value, Problem: problem, Fix: fix})
}

// trimmed returns the whitespace-trimmed value of name and whether it should
// be parsed; it records an error for a variable that is set but blank.
func (l *loader) trimmed(name, fix string) (raw, value string, ok bool) {
	raw, set := l.lookup(name)
	if !set {
		return "", "", false
	}
	value = strings.TrimSpace(raw)
	if value == "" {
		l.fail(name, raw, "is empty", fix)
		return raw, "", false
	}
	return raw, value, true
}

func (l *loader) intVar(dst *int, name string, lo, hi int) {
	fix := fmt.Sprintf("set an integer from %d to %d", lo, hi)
	raw, s, ok := l.trimmed(name, fix)
	if !ok {
		return
	}
	n, err := strconv.Atoi(s)
	switch {
	case errors.Is(err, strconv.ErrRange):
		l.fail(name, raw, "is out of range", fix)
	case err != nil:
		l.fail(name, raw, "is not an integer", fix)
	case n < lo || n > hi:
		l.fail(name, raw, "is out of range", fix)
	default:
		*dst = n
	}
}

// durationRule describes the durations a variable accepts.
type durationRule struct {
	allowZero bool
	max       time.Duration // zero means unbounded
}

func (r durationRule) fix(example time.Duration) string {
	switch {
	case r.allowZero && r.max > 0:
		return fmt.Sprintf("set a Go duration from 0s to %s, such as %s", r.max, example)
	case r.allowZero:
		return fmt.Sprintf("set a Go duration of 0s or more, such as %s", example)
	case r.max > 0:
		return fmt.Sprintf("set a Go duration greater than 0s and at most %s, such as %s", r.max, example)
	default:
		return fmt.Sprintf("set a Go duration greater than 0s, such as %s", example)
	}
}

func (r durationRule) allows(d time.Duration) bool {
	if d < 0 || (d == 0 && !r.allowZero) {
		return false
	}
	return r.max == 0 || d <= r.max
}

// durationVar parses name into dst; the value already in dst is the default,
// and it doubles as the example in the fix so the hint is always valid.
func (l *loader) durationVar(dst *time.Duration, name string, rule durationRule) {
	fix := rule.fix(*dst)
	raw, s, ok := l.trimmed(name, fix)
	if !ok {
		return
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		l.fail(name, raw, "is not a Go duration", fix)
	case !rule.allows(d):
		l.fail(name, raw, "is out of range", fix)
	default:
		*dst = d
	}
}

func (l *loader) levelVar(dst *slog.Level, name string) {
	levels := contract.LogLevels()
	fix := "set one of " + strings.Join(levels, ", ")
	raw, s, ok := l.trimmed(name, fix)
	if !ok {
		return
	}
	// slog.Level.UnmarshalText would also accept forms such as "INFO+2";
	// the deployment only ever needs the named levels, which are slog's.
	if !slices.Contains(levels, strings.ToLower(s)) || dst.UnmarshalText([]byte(s)) != nil {
		l.fail(name, raw, "is not a log level", fix)
	}
}

// addrVar reads a HOST:PORT listen address; the host may be empty (every
// interface) and the port 0 (any free one).
func (l *loader) addrVar(dst *string, name string) {
	const fix = "set HOST:PORT, such as 127.0.0.1:6060"
	raw, s, ok := l.trimmed(name, fix)
	if !ok {
		return
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		l.fail(name, raw, "is not HOST:PORT", fix)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > maxPort {
		l.fail(name, raw, "has no port from 0 to 65535", fix)
		return
	}
	*dst = s
}

// messageVar is not trimmed: leading or trailing spaces in a greeting may
// be deliberate.
func (l *loader) messageVar(dst *string, name string) {
	fix := fmt.Sprintf("set 1 to %d bytes of UTF-8 text", contract.MaxMessageBytes)
	s, set := l.lookup(name)
	switch {
	case !set:
	case s == "":
		l.fail(name, s, "is empty", fix)
	case !utf8.ValidString(s):
		l.fail(name, s, "is not valid UTF-8", fix)
	case len(s) > contract.MaxMessageBytes:
		l.fail(name, s, fmt.Sprintf("is too long (%d bytes)", len(s)), fix)
	default:
		*dst = s
	}
}
