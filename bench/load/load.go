package load

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// DefaultMaxSamples is the bound on latency samples when Config.MaxSamples
// is zero: 16 MiB of samples, enough to keep every request of a few seconds
// of loopback load.
const DefaultMaxSamples = 1 << 20

// overrun is how long a request sent at the end of the measured window may
// take before its connection is cut, so a stuck server cannot stall a run.
const overrun = 5 * time.Second

// Config describes one load run.
type Config struct {
	// URL is the http:// URL every request GETs.
	URL string
	// Conns is the number of connections, each with one request in flight.
	Conns int
	// Warmup is run before measuring and not counted.
	Warmup time.Duration
	// Duration is how long requests are measured.
	Duration time.Duration
	// MaxSamples bounds the latency samples kept; zero means DefaultMaxSamples.
	MaxSamples int
}

// Result is what a run measured. Only requests sent within the measured
// window count.
type Result struct {
	// Requests is the number of requests answered with a 2xx status.
	Requests int64
	// Errors is the number of requests that failed or got another status.
	Errors int64
	// FirstError describes the first error, if any.
	FirstError error
	// Elapsed is the measured window.
	Elapsed time.Duration
	// Latency holds the latencies of the successful requests.
	Latency Latencies
}

// Throughput returns successful requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Combine returns the result of several runs taken as one: their requests,
// errors and measured time added up and their latencies pooled. Runs of the
// same server interleaved with runs of another spread any disturbance from
// outside, such as a burst of other work on the machine, over both.
func Combine(results ...Result) Result {
	var out Result
	lats := make([]Latencies, 0, len(results))
	for _, r := range results {
		out.Requests += r.Requests
		out.Errors += r.Errors
		out.Elapsed += r.Elapsed
		if out.FirstError == nil {
			out.FirstError = r.FirstError
		}
		lats = append(lats, r.Latency)
	}
	out.Latency = combine(lats...)
	return out
}

// Run generates load as cfg describes until the warm-up and the measured
// window have passed or ctx is done. It returns an error only if the run
// could not start; failed requests are counted in the Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	target, err := parseTarget(cfg.URL)
	if err != nil {
		return Result{}, err
	}
	if cfg.Conns < 1 {
		return Result{}, fmt.Errorf("load: %d connections, want at least 1", cfg.Conns)
	}
	if cfg.Duration <= 0 {
		return Result{}, fmt.Errorf("load: duration %v, want more than 0", cfg.Duration)
	}
	maxSamples := cfg.MaxSamples
	if maxSamples == 0 {
		maxSamples = DefaultMaxSamples
	}
	perConn := max(maxSamples/cfg.Conns, 1)

	start := time.Now()
	w := window{from: start.Add(cfg.Warmup), to: start.Add(cfg.Warmup + cfg.Duration)}
	runCtx, cancel := context.WithDeadline(ctx, w.to)
	defer cancel()

	workers := make([]*worker, cfg.Conns)
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = newWorker(target, w.to.Add(overrun), perConn, uint64(i))
		wg.Go(func() { workers[i].run(runCtx, w) })
	}
	wg.Wait()

	res := Result{Elapsed: min(time.Since(w.from), cfg.Duration)}
	reservoirs := make([]*reservoir, len(workers))
	for i, wk := range workers {
		res.Requests += wk.ok
		res.Errors += wk.failed
		if res.FirstError == nil {
			res.FirstError = wk.firstErr
		}
		wk.close()
		reservoirs[i] = &wk.latency
	}
	res.Latency = merge(reservoirs)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("load: stopped early: %w", err)
	}
	return res, nil
}

// window is the measured interval of a run.
type window struct{ from, to time.Time }

// worker drives one connection.
type worker struct {
	client   *client
	latency  reservoir
	ok       int64
	failed   int64
	firstErr error
}

func newWorker(t target, deadline time.Time, maxSamples int, seed uint64) *worker {
	return &worker{client: newClient(t, deadline), latency: newReservoir(maxSamples, seed)}
}

func (wk *worker) run(ctx context.Context, w window) {
	// Done is read without the lock that ctx.Err takes, which every
	// connection would otherwise contend for on every request.
	done := ctx.Done()
	for {
		select {
		case <-done:
			return
		default:
		}
		sent := time.Now()
		err := wk.client.get()
		if sent.Before(w.from) {
			continue
		}
		if err != nil {
			wk.failed++
			if wk.firstErr == nil {
				wk.firstErr = err
			}
			continue
		}
		wk.ok++
		wk.latency.add(time.Since(sent))
	}
}

func (wk *worker) close() { wk.client.close() }

// target is a parsed request URL.
type target struct {
	addr    string // host:port to dial
	request []byte // the encoded request
}

func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("load: parse URL: %w", err)
	}
	if u.Scheme != "http" || u.Host == "" {
		return target{}, fmt.Errorf("load: URL %q: want http://host:port/path", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr += ":80"
	}
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: microstack-bench\r\n\r\n", u.RequestURI(), u.Host)
	return target{addr: addr, request: []byte(req)}, nil
}
