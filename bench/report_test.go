package main

import (
	"strings"
	"testing"
	"time"

	"github.com/microstack/microstack/bench/internal/verdict"
)

func sampleReport() report {
	us := time.Microsecond
	return report{
		duration: 5 * time.Second, warmup: time.Second,
		loadBefore: "0.50 0.40 0.30", loadAfter: "1.90 0.80 0.50",
		points: []point{
			{comparison: comparison{conns: 1, ceiling: figures{20000, 45 * us, 90 * us}, app: figures{18000, 50 * us, 100 * us}}, appRSS: 10e6,
				appNoLog: &figures{19000, 48 * us, 95 * us}},
			{comparison: comparison{conns: 64, ceiling: figures{40000, 1500 * us, 4000 * us}, app: figures{30000, 2000 * us, 6000 * us},
				roundRatios: []float64{0.81, 0.68, 0.74}}, appRSS: 15e6,
				appNoLog: &figures{36000, 1800 * us, 4400 * us}},
		},
		wrkSkipped: "wrk is not installed",
		idleRSS:    9_500_000, ceilingIdleRSS: 6_000_000,
		ready: []time.Duration{4 * time.Millisecond, 6 * time.Millisecond, 60 * time.Millisecond},
		image: imageFigure{skipped: "DOCKER_HOST is not set"},
	}
}

func TestVerdicts(t *testing.T) {
	want := []verdict.Verdict{
		{Target: "throughput ≥ 0.85 × ceiling, 1 connection", Figure: "0.90", Status: verdict.Met},
		{Target: "p99 ≤ 1.25 × ceiling, 1 connection", Figure: "1.11", Status: verdict.Met},
		{Target: "throughput ≥ 0.85 × ceiling, 64 connections", Figure: "0.75", Status: verdict.Missed},
		{Target: "p99 ≤ 1.25 × ceiling, 64 connections", Figure: "1.50", Status: verdict.Missed},
		{Target: "wrk throughput ≥ 0.90 × ceiling", Figure: "wrk is not installed", Status: verdict.Skipped},
		{Target: "wrk p99 ≤ 1.15 × ceiling", Figure: "wrk is not installed", Status: verdict.Skipped},
		{Target: "idle RSS ≤ 10.0 MB", Figure: "9.5 MB", Status: verdict.Met},
		{Target: "exec to ready ≤ 50.0 ms", Figure: "6.0 ms median", Status: verdict.Met},
		{Target: "image ≤ 10.0 MB", Figure: "DOCKER_HOST is not set", Status: verdict.Skipped},
	}
	r := sampleReport()
	got := r.verdicts()
	if len(got) != len(want) {
		t.Fatalf("%d verdicts, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("verdict %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if !r.missed() {
		t.Error("missed() = false with two targets missed")
	}
	r.points = r.points[:1]
	if r.missed() {
		t.Error("missed() = true with every target met or skipped")
	}
}

func TestWrkVerdicts(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name                  string
		app                   figures
		throughputOK, p99OK   verdict.Status
		throughputFig, p99Fig string
	}{
		{"both met", figures{throughput: 36000, p99: 8400 * ms / 1000}, verdict.Met, verdict.Met, "0.90", "1.05"},
		{"slow", figures{throughput: 34000, p99: 9600 * ms / 1000}, verdict.Missed, verdict.Missed, "0.85", "1.20"},
		{"tail only", figures{throughput: 39000, p99: 9600 * ms / 1000}, verdict.Met, verdict.Missed, "0.97", "1.20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			r.wrk = &comparison{conns: 64, ceiling: figures{throughput: 40000, p99: 8 * ms}, app: tt.app}
			got := r.wrkVerdicts()
			want := []verdict.Verdict{
				{Target: "wrk throughput ≥ 0.90 × ceiling, 64 connections", Figure: tt.throughputFig, Status: tt.throughputOK},
				{Target: "wrk p99 ≤ 1.15 × ceiling, 64 connections", Figure: tt.p99Fig, Status: tt.p99OK},
			}
			if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
				t.Errorf("wrkVerdicts() = %+v, want %+v", got, want)
			}
		})
	}
	r := sampleReport()
	r.wrkSkipped = ""
	if got := r.wrkVerdicts(); got != nil {
		t.Errorf("wrkVerdicts() with wrk not asked for = %+v, want none", got)
	}
}

func TestCombineWrk(t *testing.T) {
	ms := time.Millisecond
	got := combineWrk([]figures{{throughput: 30000, p99: 9 * ms}, {throughput: 36000, p99: 50 * ms}, {throughput: 33000, p99: 8 * ms}})
	if want := (figures{throughput: 33000, p99: 9 * ms}); got != want {
		t.Errorf("combineWrk = %+v, want %+v (mean throughput, median p99)", got, want)
	}
}

func TestRoundRatios(t *testing.T) {
	ceiling := []figures{{throughput: 50000}, {throughput: 40000}, {throughput: 60000}}
	app := []figures{{throughput: 45000}, {throughput: 40000}, {throughput: 48000}}
	c := comparison{roundRatios: roundRatios(ceiling, app)}
	if lo, hi := c.roundSpread(); lo != 0.8 || hi != 1 {
		t.Errorf("roundSpread() = %v, %v, want 0.8, 1 (each round's service over the same round's ceiling)", lo, hi)
	}
	if got, want := c.byRound(), "0.80–1.00"; got != want {
		t.Errorf("byRound() = %q, want %q", got, want)
	}
	if lo, hi := (comparison{}).roundSpread(); lo != 0 || hi != 0 {
		t.Errorf("roundSpread() without rounds = %v, %v, want zeros", lo, hi)
	}
}

func TestImageVerdict(t *testing.T) {
	r := sampleReport()
	r.image = imageFigure{ref: "microstack:v1", size: 12_500_000}
	v := r.verdicts()
	if got := v[len(v)-1]; got.Status != verdict.Missed || got.Figure != "12.5 MB" {
		t.Errorf("image verdict = %+v, want 12.5 MB missed", got)
	}
}

func TestWrite(t *testing.T) {
	var b strings.Builder
	sampleReport().write(&b)
	out := b.String()
	for _, want := range []string{
		"load average: 0.50 0.40 0.30 before, 1.90 0.80 0.50 after",
		"20000", "18000", "0.90", "0.68–0.81", "45 µs", "6000 µs", "15.0 MB",
		"wrk: skipped: wrk is not installed",
		"request logs off", "36000", "4400 µs", "1.10",
		"service idle 9.5 MB (ceiling idle 6.0 MB), service under 64 connections at most 15.0 MB",
		"median 6.0 ms of 3 starts (fastest 4.0 ms, slowest 60.0 ms)",
		"image: skipped: DOCKER_HOST is not set",
		"MISSED   throughput ≥ 0.85 × ceiling, 64 connections",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "busy") {
		t.Errorf("report calls an idle machine busy:\n%s", out)
	}
}

func TestBusy(t *testing.T) {
	tests := map[string]bool{"0.10 0.20 0.30": false, "99.00 1.00 1.00": true, "unknown": false}
	for load, want := range tests {
		if got := busy(load); got != want {
			t.Errorf("busy(%q) = %v, want %v", load, got, want)
		}
	}
}
