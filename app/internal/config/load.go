package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Load reads the configuration through lookup, which has the signature of
// os.LookupEnv so that tests can pass a map instead of the real environment.
// It validates every variable and, if any is invalid, returns the zero
// Config and an error joining one *VarError per invalid variable.
func Load(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	l := loader{lookup: lookup}

	l.intVar(&c.Port, EnvPort, minPort, maxPort)
	l.messageVar(&c.Message, EnvMessage)
	l.levelVar(&c.LogLevel, EnvLogLevel)
	l.durationVar(&c.DrainDelay, EnvDrainDelay, durationRule{allowZero: true, max: maxDrainDelay})
	l.durationVar(&c.ShutdownTimeout, EnvShutdownTimeout, durationRule{max: maxShutdownTimeout})
	l.durationVar(&c.ReadHeaderTimeout, EnvReadHeaderTimeout, durationRule{})
	l.durationVar(&c.ReadTimeout, EnvReadTimeout, durationRule{})
	l.durationVar(&c.WriteTimeout, EnvWriteTimeout, durationRule{})
	l.durationVar(&c.IdleTimeout, EnvIdleTimeout, durationRule{})
	l.intVar(&c.MaxHeaderBytes, EnvMaxHeaderBytes, minMaxHeaderBytes, maxMaxHeaderBytes)

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
	const fix = "set one of debug, info, warn, error"
	raw, s, ok := l.trimmed(name, fix)
	if !ok {
		return
	}
	// slog.Level.UnmarshalText would also accept forms such as "INFO+2";
	// the deployment only ever needs the four named levels.
	switch strings.ToLower(s) {
	case "debug":
		*dst = slog.LevelDebug
	case "info":
		*dst = slog.LevelInfo
	case "warn":
		*dst = slog.LevelWarn
	case "error":
		*dst = slog.LevelError
	default:
		l.fail(name, raw, "is not a log level", fix)
	}
}

// messageVar is not trimmed: leading or trailing spaces in a greeting may
// be deliberate.
func (l *loader) messageVar(dst *string, name string) {
	fix := fmt.Sprintf("set 1 to %d bytes of UTF-8 text", MaxMessageBytes)
	s, set := l.lookup(name)
	switch {
	case !set:
	case s == "":
		l.fail(name, s, "is empty", fix)
	case !utf8.ValidString(s):
		l.fail(name, s, "is not valid UTF-8", fix)
	case len(s) > MaxMessageBytes:
		l.fail(name, s, fmt.Sprintf("is too long (%d bytes)", len(s)), fix)
	default:
		*dst = s
	}
}
