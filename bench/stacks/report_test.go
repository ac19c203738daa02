package main

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// size builds the figures of one size from seconds per phase.
func size(services, resources int, preview, up, steady, destroy float64) sizeFigures {
	f := sizeFigures{services: services, resources: resources}
	for p, s := range [numPhases]float64{preview, up, steady, destroy} {
		f.took[p] = time.Duration(s * float64(time.Second))
	}
	return f
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestSteps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []sizeFigures
		want  []step
	}{
		{name: "one size", sizes: []sizeFigures{size(1, 6, 1, 10, 1, 15)}, want: nil},
		{
			name:  "three sizes",
			sizes: []sizeFigures{size(1, 6, 1, 10, 1, 15), size(10, 42, 1.9, 28, 1.45, 24), size(50, 202, 5.9, 108, 3.45, 64)},
			want: []step{
				{from: 1, to: 10, perService: [numPhases]float64{0.1, 2, 0.05, 1}},
				{from: 10, to: 50, perService: [numPhases]float64{0.1, 2, 0.05, 1}},
			},
		},
		{
			name:  "a larger size that was faster",
			sizes: []sizeFigures{size(2, 10, 4, 20, 2, 10), size(4, 18, 3, 30, 2, 10)},
			want:  []step{{from: 2, to: 4, perService: [numPhases]float64{-0.5, 5, 0, 0}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := steps(tc.sizes)
			if len(got) != len(tc.want) {
				t.Fatalf("steps = %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.from != w.from || g.to != w.to {
					t.Errorf("step %d = %d → %d, want %d → %d", i, g.from, g.to, w.from, w.to)
				}
				for p := range numPhases {
					if !near(g.perService[p], w.perService[p]) {
						t.Errorf("step %d %s = %v s/service, want %v", i, p, g.perService[p], w.perService[p])
					}
				}
			}
		})
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name              string
		sizes             []sizeFigures
		ok                bool
		wantSlope, wantAt [numPhases]float64 // wantAt: the fixed cost
	}{
		{name: "none", sizes: nil},
		{name: "one size", sizes: []sizeFigures{size(10, 42, 1, 2, 3, 4)}},
		{
			name:      "exact line",
			sizes:     []sizeFigures{size(1, 6, 2.1, 9, 2.05, 16), size(10, 42, 3, 27, 2.5, 25), size(50, 202, 7, 107, 4.5, 65)},
			ok:        true,
			wantSlope: [numPhases]float64{0.1, 2, 0.05, 1},
			wantAt:    [numPhases]float64{2, 7, 2, 15},
		},
		{
			// y = 0, 3, 3 at x = 0, 1, 2: slope 1.5, intercept 0.5.
			name:      "scattered",
			sizes:     []sizeFigures{size(0, 2, 0, 0, 0, 0), size(1, 6, 3, 3, 3, 3), size(2, 10, 3, 3, 3, 3)},
			ok:        true,
			wantSlope: [numPhases]float64{1.5, 1.5, 1.5, 1.5},
			wantAt:    [numPhases]float64{0.5, 0.5, 0.5, 0.5},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := fit(tc.sizes)
			if ok != tc.ok {
				t.Fatalf("fit ok = %v, want %v", ok, tc.ok)
			}
			for p := range numPhases {
				if !near(l.slope[p], tc.wantSlope[p]) || !near(l.fixed[p], tc.wantAt[p]) {
					t.Errorf("%s: %v + %v × services, want %v + %v × services", p, l.fixed[p], l.slope[p], tc.wantAt[p], tc.wantSlope[p])
				}
			}
		})
	}
}

func sampleReport() report {
	return report{
		pulumi: "v3.259.0", plugin: "4.25.0", cluster: "https://10.244.0.1:6443", parallel: "8 (the CLI's default, 4 × GOMAXPROCS)",
		image:      "localhost:5001/microstack@sha256:" + strings.Repeat("a", 64),
		loadBefore: "0.50 0.40 0.30", loadAfter: "1.90 0.80 0.50", took: 6*time.Minute + 12400*time.Millisecond,
		sizes: []sizeFigures{size(1, 6, 2.1, 9, 2.05, 16), size(10, 42, 3, 27, 2.5, 25), size(50, 202, 7, 107, 4.5, 65)},
	}
}

func TestWrite(t *testing.T) {
	var b strings.Builder
	sampleReport().write(&b)
	out := b.String()
	for _, want := range []string{
		"pulumi v3.259.0, pulumi-kubernetes 4.25.0, cluster https://10.244.0.1:6443",
		"pulumi parallelism: 8 (the CLI's default, 4 × GOMAXPROCS)",
		"load average: 0.50 0.40 0.30 before, 1.90 0.80 0.50 after; the run took 6m12s",
		"services  resources  preview     up  preview, no changes  destroy  up per service",
		"       1          6      2.1    9.0                  2.0     16.0            9.00",
		"      50        202      7.0  107.0                  4.5     65.0            2.14",
		"1 → 10    0.100  2.000                0.050    1.000",
		"slope    0.100  2.000                0.050    1.000",
		"fixed cost (s)      2.0    7.0                  2.0     15.0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteWithoutGrowth(t *testing.T) {
	r := sampleReport()
	r.sizes = r.sizes[:1]
	var b strings.Builder
	r.write(&b)
	out := b.String()
	for _, want := range []string{"up per service"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "growth") {
		t.Errorf("report of one size shows a growth:\n%s", out)
	}
}

func TestParallelism(t *testing.T) {
	def := fmt.Sprintf("%d (the CLI's default, 4 × GOMAXPROCS)", 4*runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		flag int
		env  string
		want string
	}{
		{flag: 0, env: "", want: def},
		{flag: 0, env: "16", want: "16 (PULUMI_PARALLEL)"},
		{flag: 32, env: "16", want: "32 (-parallel)"},
		{flag: 1, env: "", want: "1 (-parallel)"},
	} {
		if got := parallelism(tc.flag, tc.env); got != tc.want {
			t.Errorf("parallelism(%d, %q) = %q, want %q", tc.flag, tc.env, got, tc.want)
		}
	}
}
