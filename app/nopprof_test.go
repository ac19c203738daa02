//go:build !pprof

package main

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunWithoutProfilingIgnoresPprofAddr: a build without the pprof tag
// serves as usual, says it ignores the variable, and listens nowhere else.
func TestRunWithoutProfilingIgnoresPprofAddr(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	r := startRun(t, map[string]string{"APP_PPROF_ADDR": addr})
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("something listens on %s in a build without pprof", addr)
	}
	if code := r.stop(t); code != exitOK {
		t.Errorf("run() = %d, want %d", code, exitOK)
	}
	if want := "ignoring APP_PPROF_ADDR"; !strings.Contains(r.stdout.String(), want) {
		t.Errorf("logs lack %q:\n%s", want, r.stdout.String())
	}
}
