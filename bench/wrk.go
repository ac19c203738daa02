package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wrkPoint is one connection count measured by wrk, for comparison with
// internal/load's figures.
type wrkPoint struct {
	conns        int
	ceiling, app wrkResult
}

func (p wrkPoint) throughputRatio() float64 {
	return ratio(p.app.throughput, p.ceiling.throughput)
}

func (p wrkPoint) p99Ratio() float64 {
	return ratio(float64(p.app.p99), float64(p.ceiling.p99))
}

// wrkResult is what wrk reports that the bench compares.
type wrkResult struct {
	throughput float64
	p99        time.Duration
}

// combineWrk returns the mean throughput and the median p99 of rounds,
// which must not be empty. The median keeps one disturbed round from
// deciding the tail.
func combineWrk(rounds []wrkResult) wrkResult {
	var sum float64
	p99s := make([]time.Duration, len(rounds))
	for i, r := range rounds {
		sum += r.throughput
		p99s[i] = r.p99
	}
	slices.Sort(p99s)
	return wrkResult{throughput: sum / float64(len(rounds)), p99: p99s[len(p99s)/2]}
}

// runWrk loads url with wrk for d, rounded to whole seconds, at least one.
func runWrk(ctx context.Context, url string, conns int, d time.Duration) (wrkResult, error) {
	threads := min(conns, runtime.NumCPU())
	cmd := exec.CommandContext(ctx, "wrk", "--latency",
		"-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(max(1, int(d.Seconds())))+"s",
		url+"/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseWrk(string(out))
}

// parseWrk reads the requests per second and the 99th percentile latency
// of wrk --latency output.
func parseWrk(out string) (wrkResult, error) {
	var (
		r              wrkResult
		gotRPS, gotP99 bool
	)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return wrkResult{}, fmt.Errorf("wrk: unexpected %q", sc.Text())
			}
			r.throughput, gotRPS = v, true
		case len(f) == 2 && f[0] == "99%":
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return wrkResult{}, fmt.Errorf("wrk: unexpected %q", sc.Text())
			}
			r.p99, gotP99 = d, true
		case len(f) > 0 && (f[0] == "Non-2xx" || f[0] == "Socket" && f[1] == "errors:"):
			return wrkResult{}, fmt.Errorf("wrk: %s", strings.TrimSpace(sc.Text()))
		}
	}
	if !gotRPS || !gotP99 {
		return wrkResult{}, fmt.Errorf("wrk: no Requests/sec or 99%% latency in\n%s", out)
	}
	return r, nil
}
