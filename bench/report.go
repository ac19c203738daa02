package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/microstack/microstack/bench/internal/verdict"
	"github.com/microstack/microstack/internal/load"
)

// Targets the service is held to. Under internal/load, whose generator
// takes a larger share of the two servers' CPU than wrk does, the
// service's own cost shows less; wrk's targets are the stricter ones.
const (
	minThroughputRatio    = 0.85                  // of the ceiling's requests per second, under internal/load
	maxP99Ratio           = 1.25                  // of the ceiling's 99th percentile latency, under internal/load
	minWrkThroughputRatio = 0.90                  // of the ceiling's requests per second, under wrk
	maxWrkP99Ratio        = 1.15                  // of the ceiling's 99th percentile latency, under wrk
	maxIdleRSS            = 10_000_000            // bytes
	maxReady              = 50 * time.Millisecond // exec to the first 200 from /readyz
	maxImageSize          = 10_000_000            // bytes
)

// figures are what the report keeps of a load run.
type figures struct {
	throughput float64 // requests per second
	p50, p99   time.Duration
}

func figuresOf(r load.Result) figures {
	return figures{throughput: r.Throughput(), p50: r.Latency.Quantile(0.5), p99: r.Latency.Quantile(0.99)}
}

// figuresEach returns the figures of each result.
func figuresEach(rs []load.Result) []figures {
	f := make([]figures, len(rs))
	for i, r := range rs {
		f[i] = figuresOf(r)
	}
	return f
}

// comparison is one connection count measured on both servers, by one
// load generator.
type comparison struct {
	conns        int
	ceiling, app figures
	// roundRatios are the service's throughput over the ceiling's in each
	// round, the servers' turns side by side: their spread is the noise
	// the combined ratio carries.
	roundRatios []float64
}

// roundSpread returns the lowest and the highest of the round ratios, or
// zeros if there are none.
func (c comparison) roundSpread() (lo, hi float64) {
	if len(c.roundRatios) == 0 {
		return 0, 0
	}
	return slices.Min(c.roundRatios), slices.Max(c.roundRatios)
}

// byRound formats the spread of the round ratios.
func (c comparison) byRound() string {
	lo, hi := c.roundSpread()
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

// roundRatios divides each round's service throughput by the same
// round's ceiling throughput.
func roundRatios(ceiling, app []figures) []float64 {
	r := make([]float64, min(len(ceiling), len(app)))
	for i := range r {
		r[i] = ratio(app[i].throughput, ceiling[i].throughput)
	}
	return r
}

func (c comparison) throughputRatio() float64 {
	return ratio(c.app.throughput, c.ceiling.throughput)
}

func (c comparison) p99Ratio() float64 {
	return ratio(float64(c.app.p99), float64(c.ceiling.p99))
}

// point is a comparison under internal/load, with what only its runs
// measure.
type point struct {
	comparison
	appRSS   int64    // the service's largest resident set during its run
	appNoLog *figures // the service with its request logs off, if measured
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// report is every figure of a run.
type report struct {
	duration, warmup        time.Duration
	loadBefore, loadAfter   string
	points                  []point
	wrk                     *comparison
	wrkSkipped              string
	idleRSS, ceilingIdleRSS int64
	ready                   []time.Duration // sorted
	image                   imageFigure
	profile                 string
}

// verdicts compares the figures with the targets.
func (r report) verdicts() []verdict.Verdict {
	var v []verdict.Verdict
	for _, p := range r.points {
		tr, lr := p.throughputRatio(), p.p99Ratio()
		v = append(v,
			verdict.Verdict{Target: fmt.Sprintf("throughput ≥ %.2f × ceiling, %s", minThroughputRatio, conns(p.conns)),
				Figure: fmt.Sprintf("%.2f", tr), Status: verdict.Check(tr >= minThroughputRatio)},
			verdict.Verdict{Target: fmt.Sprintf("p99 ≤ %.2f × ceiling, %s", maxP99Ratio, conns(p.conns)),
				Figure: fmt.Sprintf("%.2f", lr), Status: verdict.Check(lr <= maxP99Ratio)},
		)
	}
	v = append(v, r.wrkVerdicts()...)
	v = append(v,
		verdict.Verdict{Target: "idle RSS ≤ " + megabytes(maxIdleRSS), Figure: megabytes(r.idleRSS),
			Status: verdict.Check(r.idleRSS <= maxIdleRSS)},
		verdict.Verdict{Target: "exec to ready ≤ " + millis(maxReady), Figure: millis(r.readyMedian()) + " median",
			Status: verdict.Check(r.readyMedian() <= maxReady)},
	)
	img := verdict.Verdict{Target: "image ≤ " + megabytes(maxImageSize)}
	if r.image.skipped != "" {
		img.Figure, img.Status = r.image.skipped, verdict.Skipped
	} else {
		img.Figure, img.Status = megabytes(r.image.size), verdict.Check(r.image.size <= maxImageSize)
	}
	return append(v, img)
}

// wrkVerdicts compares wrk's figures with their targets, or says why
// there are none.
func (r report) wrkVerdicts() []verdict.Verdict {
	throughput := verdict.Verdict{Target: fmt.Sprintf("wrk throughput ≥ %.2f × ceiling", minWrkThroughputRatio)}
	p99 := verdict.Verdict{Target: fmt.Sprintf("wrk p99 ≤ %.2f × ceiling", maxWrkP99Ratio)}
	switch {
	case r.wrk != nil:
		tr, lr := r.wrk.throughputRatio(), r.wrk.p99Ratio()
		throughput.Target += ", " + conns(r.wrk.conns)
		p99.Target += ", " + conns(r.wrk.conns)
		throughput.Figure, throughput.Status = fmt.Sprintf("%.2f", tr), verdict.Check(tr >= minWrkThroughputRatio)
		p99.Figure, p99.Status = fmt.Sprintf("%.2f", lr), verdict.Check(lr <= maxWrkP99Ratio)
	case r.wrkSkipped != "":
		throughput.Figure, throughput.Status = r.wrkSkipped, verdict.Skipped
		p99.Figure, p99.Status = r.wrkSkipped, verdict.Skipped
	default:
		return nil
	}
	return []verdict.Verdict{throughput, p99}
}

// missed reports whether any target was missed.
func (r report) missed() bool { return verdict.AnyMissed(r.verdicts()) }

func (r report) readyMedian() time.Duration {
	if len(r.ready) == 0 {
		return 0
	}
	return r.ready[len(r.ready)/2]
}

// write prints the report.
func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "microstack bench: %s per point after %s of warm-up; %d CPUs, GOMAXPROCS %d, %s\n",
		r.duration, r.warmup, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(w, "load average: %s before, %s after\n", r.loadBefore, r.loadAfter)
	if busy(r.loadBefore) {
		fmt.Fprintf(w, "note: the machine was busy before the run; the figures are noisy\n")
	}

	fmt.Fprintf(w, "\nthroughput and latency, closed loop over 127.0.0.1 (internal/load); ratio = service / ceiling\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\tceiling req/s\tservice req/s\tratio\tby round\tceiling p50\tservice p50\tceiling p99\tservice p99\tratio\tservice RSS max\t")
	for _, p := range r.points {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t\n",
			p.conns, p.ceiling.throughput, p.app.throughput, p.throughputRatio(), p.byRound(),
			micros(p.ceiling.p50), micros(p.app.p50), micros(p.ceiling.p99), micros(p.app.p99),
			p.p99Ratio(), megabytes(p.appRSS))
	}
	tw.Flush()
	r.writeNoLog(w)
	switch {
	case r.wrk != nil:
		fmt.Fprintf(w, "\nwrk, %s: ceiling %.0f req/s, p99 %s; service %.0f req/s, p99 %s; ratios %.2f (by round %s) and %.2f\n",
			conns(r.wrk.conns), r.wrk.ceiling.throughput, micros(r.wrk.ceiling.p99),
			r.wrk.app.throughput, micros(r.wrk.app.p99), r.wrk.throughputRatio(), r.wrk.byRound(), r.wrk.p99Ratio())
	case r.wrkSkipped != "":
		fmt.Fprintf(w, "\nwrk: skipped: %s\n", r.wrkSkipped)
	}

	fmt.Fprintf(w, "\nmemory (VmRSS): service idle %s (ceiling idle %s)", megabytes(r.idleRSS), megabytes(r.ceilingIdleRSS))
	if n := len(r.points); n > 0 {
		last := r.points[n-1]
		fmt.Fprintf(w, ", service under %s at most %s", conns(last.conns), megabytes(last.appRSS))
	}
	fmt.Fprintln(w)
	if n := len(r.ready); n > 0 {
		fmt.Fprintf(w, "exec to first 200 on /readyz: median %s of %d starts (fastest %s, slowest %s)\n",
			millis(r.readyMedian()), n, millis(r.ready[0]), millis(r.ready[n-1]))
	}
	if r.image.skipped != "" {
		fmt.Fprintf(w, "image: skipped: %s\n", r.image.skipped)
	} else {
		fmt.Fprintf(w, "image %s: %s, largest layer %s (%s)\n", r.image.ref, megabytes(r.image.size),
			megabytes(r.image.largestLayer), abbreviate(r.image.largestBy, 80))
	}

	verdict.Write(w, r.verdicts())

	if r.profile != "" {
		fmt.Fprintf(w, "\nCPU profile of the service under %s (go tool pprof -top)\n", conns(profileConns))
		for line := range strings.Lines(r.profile) {
			fmt.Fprintf(w, "  %s", line)
		}
		fmt.Fprintln(w)
	}
}

// writeNoLog prints the figures of the service with its request logs off,
// if they were measured.
func (r report) writeNoLog(w io.Writer) {
	if len(r.points) == 0 || r.points[0].appNoLog == nil {
		return
	}
	fmt.Fprintf(w, "\nthe service with its request logs off (APP_LOG_LEVEL=warn), for what they cost; ratio = to the ceiling\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\tservice req/s\tratio\tservice p99\tratio\t")
	for _, p := range r.points {
		q := p.appNoLog
		fmt.Fprintf(tw, "%d\t%.0f\t%.2f\t%s\t%.2f\t\n", p.conns, q.throughput, ratio(q.throughput, p.ceiling.throughput),
			micros(q.p99), ratio(float64(q.p99), float64(p.ceiling.p99)))
	}
	tw.Flush()
}

// busy reports whether a 1-minute load average, as loadavg.Read prints it,
// is above what the machine runs without queueing.
func busy(loadavg string) bool {
	one, _, _ := strings.Cut(loadavg, " ")
	v, err := strconv.ParseFloat(one, 64)
	return err == nil && v > 1.25*float64(runtime.NumCPU())
}

func conns(n int) string {
	if n == 1 {
		return "1 connection"
	}
	return strconv.Itoa(n) + " connections"
}

func megabytes(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func abbreviate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
