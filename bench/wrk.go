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

// combineWrk returns the mean throughput and the median p99 of rounds,
// which must not be empty; wrk's rounds give no p50 to combine. The median keeps one disturbed round from
// deciding the tail.
func combineWrk(rounds []figures) figures {
	var sum float64
	p99s := make([]time.Duration, len(rounds))
	for i, r := range rounds {
		sum += r.throughput
		p99s[i] = r.p99
	}
	slices.Sort(p99s)
	return figures{throughput: sum / float64(len(rounds)), p99: p99s[len(p99s)/2]}
}

// runWrk loads url with wrk for d, rounded to whole seconds, at least one.
func runWrk(ctx context.Context, url string, conns int, d time.Duration) (figures, error) {
	threads := min(conns, runtime.NumCPU())
	cmd := exec.CommandContext(ctx, "wrk", "--latency",
		"-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(max(1, int(d.Seconds())))+"s",
		url+"/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return figures{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseWrk(string(out))
}

// parseWrk reads the requests per second and the 99th percentile latency
// of wrk --latency output.
func parseWrk(out string) (figures, error) {
	var (
		r              figures
		gotRPS, gotP99 bool
	)
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return figures{}, fmt.Errorf("wrk: unexpected %q", sc.Text())
			}
			r.throughput, gotRPS = v, true
		case len(f) == 2 && f[0] == "99%":
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return figures{}, fmt.Errorf("wrk: unexpected %q", sc.Text())
			}
			r.p99, gotP99 = d, true
		case len(f) > 0 && (f[0] == "Non-2xx" || f[0] == "Socket" && f[1] == "errors:"):
			return figures{}, fmt.Errorf("wrk: %s", strings.TrimSpace(sc.Text()))
		}
	}
	if !gotRPS || !gotP99 {
		return figures{}, fmt.Errorf("wrk: no Requests/sec or 99%% latency in\n%s", out)
	}
	return r, nil
}
