package config

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microstack/microstack/internal/contract"
)

func FuzzLoad(f *testing.F) {
	f.Add("8080", "Hello, World!", "info", "5s", "10s", "5s", "10s", "10s", "60s", "16384")
	f.Add("99999", "", "loud", "-1s", "0s", "0", "x", "1", "1h", "1")
	f.Add(" 1 ", strings.Repeat("é", 128), "DEBUG", "5m", "5m", "1ns", "1us", "1ms", "2h", "1048576")
	f.Add("0x50", "caf\xe9", "INFO+2", "1e3s", "+5s", ".5s", "5.s", "1h1h", "9223372036854775807ns", "-0")
	f.Fuzz(func(t *testing.T, port, message, level, drain, shutdown, readHeader, read, write, idle, maxHeader string) {
		vars := map[string]string{
			contract.EnvPort: port, contract.EnvMessage: message, contract.EnvLogLevel: level,
			contract.EnvDrainDelay: drain, contract.EnvShutdownTimeout: shutdown,
			contract.EnvReadHeaderTimeout: readHeader, contract.EnvReadTimeout: read,
			contract.EnvWriteTimeout: write, contract.EnvIdleTimeout: idle, contract.EnvMaxHeaderBytes: maxHeader,
		}
		c, err := Load(env(vars))
		if err != nil {
			checkErrors(t, err, vars)
			return
		}
		checkBounds(t, c)
	})
}

// checkErrors asserts that every reported error names a variable that was
// set, and that the message starts with that name.
func checkErrors(t *testing.T, err error, vars map[string]string) {
	t.Helper()
	errs := varErrors(err)
	if len(errs) == 0 {
		t.Fatalf("Load() error %v holds no VarError", err)
	}
	for _, ve := range errs {
		if _, ok := vars[ve.Name]; !ok {
			t.Errorf("VarError names unknown variable %q", ve.Name)
		}
		if !strings.HasPrefix(ve.Error(), ve.Name+": ") {
			t.Errorf("VarError %q does not start with its variable", ve.Error())
		}
	}
}

// checkBounds asserts that an accepted configuration obeys every rule.
func checkBounds(t *testing.T, c Config) {
	t.Helper()
	switch {
	case c.Port < minPort || c.Port > maxPort:
		t.Errorf("accepted port %d", c.Port)
	case c.Message == "" || len(c.Message) > contract.MaxMessageBytes || !utf8.ValidString(c.Message):
		t.Errorf("accepted message %q", c.Message)
	case c.DrainDelay < 0 || c.DrainDelay > contract.MaxDrainDelay:
		t.Errorf("accepted drain delay %v", c.DrainDelay)
	case c.ShutdownTimeout <= 0 || c.ShutdownTimeout > contract.MaxShutdownTimeout:
		t.Errorf("accepted shutdown timeout %v", c.ShutdownTimeout)
	case c.ReadHeaderTimeout <= 0 || c.ReadTimeout <= 0 || c.WriteTimeout <= 0 || c.IdleTimeout <= 0:
		t.Errorf("accepted non-positive server timeout in %+v", c)
	case c.MaxHeaderBytes < minMaxHeaderBytes || c.MaxHeaderBytes > maxMaxHeaderBytes:
		t.Errorf("accepted max header bytes %d", c.MaxHeaderBytes)
	}
}
