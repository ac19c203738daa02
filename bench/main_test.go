package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRunSmoke runs the whole bench briefly: it builds the service, the
// ceiling and the profiling build, and checks that every figure appears.
func TestRunSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and loads the service for several seconds")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	o := options{
		conns:    connList{1, 4},
		duration: time.Second,
		rounds:   2,
		warmup:   100 * time.Millisecond,
		starts:   2,
		profile:  true,
		nolog:    true,
		wrk:      true,
		message:  "Hello from the bench",
		out:      t.TempDir(),
	}
	var stdout, stderr strings.Builder
	if err := run(t.Context(), o, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"conns  ceiling req/s", "by round", "memory (VmRSS): service idle", "exec to first 200 on /readyz: median",
		"request logs off", "targets", "idle RSS ≤ 10.0 MB", "wrk throughput ≥ 0.90 × ceiling", "CPU profile of the service", "flat%",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestRunRejectsOptions(t *testing.T) {
	for _, o := range []options{
		{conns: nil, duration: time.Second, rounds: 1, starts: 1},
		{conns: connList{1}, duration: 0, rounds: 1, starts: 1},
		{conns: connList{1}, duration: time.Second, rounds: 0, starts: 1},
		{conns: connList{1}, duration: time.Second, rounds: 1, starts: 0},
	} {
		if err := run(t.Context(), o, new(strings.Builder), new(strings.Builder)); err == nil {
			t.Errorf("run(%+v) = nil error", o)
		}
	}
}
