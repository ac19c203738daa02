package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"time"

	"github.com/microstack/microstack/bench/internal/loadavg"
	"github.com/microstack/microstack/internal/contract"
	"github.com/microstack/microstack/internal/load"
)

const (
	// profileConns is the concurrency the CPU profile is taken at.
	profileConns = 16
	// settle is how long the service idles after start before its idle
	// memory is read, so that start-up garbage has been collected.
	settle = time.Second
	// rssEvery is how often memory is sampled under load.
	rssEvery = 20 * time.Millisecond
)

// bench takes the measurements of one run.
type bench struct {
	opts     options
	dir      string
	progress io.Writer
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "bench: "+format+"\n", args...)
}

// measure builds the binaries and takes every figure of the report.
func (b *bench) measure(ctx context.Context) (report, error) {
	rep := report{
		duration:   b.opts.duration,
		warmup:     b.opts.warmup,
		loadBefore: loadavg.Read(),
	}
	b.logf("building the service and the ceiling into %s", b.dir)
	bins, err := build(ctx, b.dir, b.opts.profile)
	if err != nil {
		return report{}, err
	}

	if err := b.measureLoad(ctx, bins, &rep); err != nil {
		return report{}, err
	}
	if b.opts.profile {
		b.logf("profiling the service under %d connections", profileConns)
		if rep.profile, err = b.cpuProfile(ctx, bins); err != nil {
			return report{}, err
		}
	}
	b.logf("timing %d starts", b.opts.starts)
	if rep.ready, err = b.startups(ctx, bins.app); err != nil {
		return report{}, err
	}
	rep.image = measureImage(ctx, b.opts.image)
	rep.loadAfter = loadavg.Read()
	return rep, nil
}

// measureLoad runs the ceiling, the service and, with -nolog, the service
// without request logs side by side, and loads them at every connection
// count.
func (b *bench) measureLoad(ctx context.Context, bins binaries, rep *report) error {
	app, err := startApp(ctx, bins.app, b.opts.message, nil)
	if err != nil {
		return err
	}
	defer app.stop()
	ceiling, err := startCeiling(ctx, bins.ceiling, b.opts.message)
	if err != nil {
		return err
	}
	defer ceiling.stop()
	if err := sameResponse(ctx, app.url, ceiling.url); err != nil {
		return err
	}
	var quiet *process // the service with its request logs off
	if b.opts.nolog {
		if quiet, err = startApp(ctx, bins.app, b.opts.message, []string{contract.EnvLogLevel + "=warn"}); err != nil {
			return err
		}
		defer quiet.stop()
	}

	time.Sleep(settle)
	if rep.idleRSS, err = app.rss(); err != nil {
		return err
	}
	if rep.ceilingIdleRSS, err = ceiling.rss(); err != nil {
		return err
	}

	servers := []*process{ceiling, app}
	if quiet != nil {
		servers = append(servers, quiet)
	}
	for _, n := range b.opts.conns {
		b.logf("loading the servers in turn, %d rounds at %d connections", b.opts.rounds, n)
		p, err := b.measurePoint(ctx, servers, n)
		if err != nil {
			return err
		}
		rep.points = append(rep.points, p)
	}

	if b.opts.wrk {
		if _, err := exec.LookPath("wrk"); err != nil {
			rep.wrkSkipped = "wrk is not installed (hack/tools.sh apt installs it)"
			return nil
		}
		n := slices.Max(b.opts.conns)
		b.logf("loading the ceiling and the service in turn with wrk, %d rounds at %d connections", b.opts.rounds, n)
		if rep.wrk, err = b.wrkPoint(ctx, ceiling.url, app.url, n); err != nil {
			return err
		}
	}
	return nil
}

// wrkPoint loads the ceiling and the service with wrk at conns
// connections, in turns as measurePoint does, and keeps the mean
// throughput and the median p99 of each server's rounds.
func (b *bench) wrkPoint(ctx context.Context, ceilingURL, appURL string, conns int) (*comparison, error) {
	slice := b.opts.duration / time.Duration(b.opts.rounds)
	var ceiling, app []figures
	for range b.opts.rounds {
		c, err := runWrk(ctx, ceilingURL, conns, slice)
		if err != nil {
			return nil, err
		}
		a, err := runWrk(ctx, appURL, conns, slice)
		if err != nil {
			return nil, err
		}
		ceiling, app = append(ceiling, c), append(app, a)
	}
	return &comparison{
		conns: conns, ceiling: combineWrk(ceiling), app: combineWrk(app),
		roundRatios: roundRatios(ceiling, app),
	}, nil
}

// Positions in the servers measurePoint loads.
const (
	ceilingAt = iota
	serviceAt
	quietAt // the service without request logs, if measured
)

// measurePoint loads servers, in the order of the positions above, at
// conns connections. The point's warm-up and measured time are cut into
// rounds, and each round loads every server in turn: a disturbance from
// outside then falls on all of them rather than on whichever was being
// measured.
func (b *bench) measurePoint(ctx context.Context, servers []*process, conns int) (point, error) {
	rounds := time.Duration(b.opts.rounds)
	warmup, duration := b.opts.warmup/rounds, b.opts.duration/rounds
	results := make([][]load.Result, len(servers))
	var peakRSS int64
	for range b.opts.rounds {
		for i, s := range servers {
			var peak func() int64
			if i == serviceAt {
				peak = sampleRSS(s, rssEvery)
			}
			res, err := b.load(ctx, s.url, conns, warmup, duration)
			if peak != nil {
				peakRSS = max(peakRSS, peak())
			}
			if err != nil {
				return point{}, err
			}
			results[i] = append(results[i], res)
		}
	}
	p := point{
		comparison: comparison{
			conns:       conns,
			ceiling:     figuresOf(load.Combine(results[ceilingAt]...)),
			app:         figuresOf(load.Combine(results[serviceAt]...)),
			roundRatios: roundRatios(figuresEach(results[ceilingAt]), figuresEach(results[serviceAt])),
		},
		appRSS: peakRSS,
	}
	if len(servers) > quietAt {
		p.appNoLog = new(figuresOf(load.Combine(results[quietAt]...)))
	}
	return p, nil
}

// load runs one slice of a point and fails if any request failed: an
// error rate would make the figures meaningless.
func (b *bench) load(ctx context.Context, url string, conns int, warmup, duration time.Duration) (load.Result, error) {
	res, err := load.Run(ctx, load.Config{
		URL: url + "/", Conns: conns, Warmup: warmup, Duration: duration,
	})
	if err != nil {
		return res, err
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%s with %d connections: %d of %d requests failed, the first with: %w",
			url, conns, res.Errors, res.Errors+res.Requests, res.FirstError)
	}
	return res, nil
}

// startups starts the service again and again, timing exec to the first
// 200 from /readyz, and returns the times sorted.
func (b *bench) startups(ctx context.Context, bin string) ([]time.Duration, error) {
	times := make([]time.Duration, 0, b.opts.starts)
	for range b.opts.starts {
		d, err := timeStart(ctx, bin, b.opts.message)
		if err != nil {
			return nil, err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	return times, nil
}
