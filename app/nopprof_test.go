//go:build !pprof

package main

import (
	"strings"
	"testing"
)

// TestRunWithoutProfilingIgnoresPprofAddr: a build without the pprof tag
// serves as usual, says it ignores the variable, and listens nowhere else.
func TestRunWithoutProfilingIgnoresPprofAddr(t *testing.T) {
	r, addr := startRunWithPprof(t)
	if listens(addr) {
		t.Errorf("something listens on %s in a build without pprof", addr)
	}
	if code := r.stop(t); code != exitOK {
		t.Errorf("run() = %d, want %d", code, exitOK)
	}
	if want := "ignoring APP_PPROF_ADDR"; !strings.Contains(r.stdout.String(), want) {
		t.Errorf("logs lack %q:\n%s", want, r.stdout.String())
	}
}
