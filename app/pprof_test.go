//go:build pprof

package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRunServesProfiling: a profiling build serves net/http/pprof on its
// own address while it runs, and closes it when run returns.
func TestRunServesProfiling(t *testing.T) {
	r, addr := startRunWithPprof(t)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatalf("pprof: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /debug/pprof/cmdline = %d, want 200", resp.StatusCode)
	}
	if code := r.stop(t); code != exitOK {
		t.Errorf("run() = %d, want %d", code, exitOK)
	}
	if listens(addr) {
		t.Errorf("pprof still listens on %s after run returned", addr)
	}
}

// TestRunRefusesBusyPprofAddr: an address that cannot be listened on is a
// configuration error naming the variable, before the service starts.
func TestRunRefusesBusyPprofAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env(map[string]string{"APP_PPROF_ADDR": ln.Addr().String()}), &stdout, &stderr)
	want := `APP_PPROF_ADDR: "` + ln.Addr().String() + `" cannot be listened on`
	if code != exitConfig || !strings.Contains(stderr.String(), want) {
		t.Errorf("run() = %d, stderr %q; want %d and %q", code, stderr.String(), exitConfig, want)
	}
}
