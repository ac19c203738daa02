package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"time"

	"github.com/microstack/microstack/bench/load"
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
		loadBefore: loadAverage(),
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
	rep.loadAfter = loadAverage()
	return rep, nil
}

// measureLoad runs the service and the ceiling side by side and loads
// each in turn at every connection count.
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
		if quiet, err = startApp(ctx, bins.app, b.opts.message, []string{"APP_LOG_LEVEL=warn"}); err != nil {
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

	for _, n := range b.opts.conns {
		b.logf("loading the ceiling, then the service, with %d connections", n)
		c, err := b.load(ctx, ceiling.url, n)
		if err != nil {
			return err
		}
		peak := sampleRSS(app, rssEvery)
		a, err := b.load(ctx, app.url, n)
		rss := peak()
		if err != nil {
			return err
		}
		p := point{conns: n, ceiling: figuresOf(c), app: figuresOf(a), appRSS: rss}
		if quiet != nil {
			q, err := b.load(ctx, quiet.url, n)
			if err != nil {
				return err
			}
			p.appNoLog = new(figuresOf(q))
		}
		rep.points = append(rep.points, p)
	}

	if b.opts.wrk {
		if _, err := exec.LookPath("wrk"); err != nil {
			rep.wrkSkipped = "wrk is not installed (apt-get install wrk)"
			return nil
		}
		n := slices.Max(b.opts.conns)
		b.logf("repeating %d connections with wrk", n)
		w := wrkPoint{conns: n}
		if w.ceiling, err = runWrk(ctx, ceiling.url, n, b.opts.duration); err != nil {
			return err
		}
		if w.app, err = runWrk(ctx, app.url, n, b.opts.duration); err != nil {
			return err
		}
		rep.wrk = &w
	}
	return nil
}

// load runs one point and fails if any request failed: an error rate
// would make the figures meaningless.
func (b *bench) load(ctx context.Context, url string, conns int) (load.Result, error) {
	res, err := load.Run(ctx, load.Config{
		URL: url + "/", Conns: conns, Warmup: b.opts.warmup, Duration: b.opts.duration,
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
