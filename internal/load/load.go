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

// Get sends one request and returns the answer it got, as the caller
// names answers (the message a response carried, say), or an error if the
// request failed. Result counts the answers. It must be safe to call from
// several workers at once.
type Get func(ctx context.Context) (answer string, err error)

// Config describes one load run.
type Config struct {
	// URL is the http:// URL every request GETs with the package's own
	// HTTP/1.1 client, one keep-alive connection per worker, when Get is
	// nil. Its answers are all "".
	URL string
	// Get, if set, sends the requests instead, through whatever client the
	// caller needs (TLS, a proxy, a body to parse).
	Get Get
	// Conns is the number of workers, each with one request in flight.
	Conns int
	// Pause is how long each worker waits between its requests; zero
	// keeps the loop closed, for as many requests as the server answers.
	Pause time.Duration
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
	// Answers counts the successful requests by the answer Get returned,
	// if any answer was not "".
	Answers map[string]int64
}

// Sent returns the number of requests counted, answered or failed.
func (r Result) Sent() int64 { return r.Requests + r.Errors }

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
		out.Answers = addAnswers(out.Answers, r.Answers)
		lats = append(lats, r.Latency)
	}
	out.Latency = combine(lats...)
	return out
}

// Run generates load as cfg describes until the warm-up and the measured
// window have passed or ctx is done. It returns an error only if the run
// could not start or ctx ended it early; failed requests are counted in
// the Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	workers, err := newWorkers(cfg)
	if err != nil {
		return Result{}, err
	}
	res := runWorkers(ctx, cfg, workers)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("load: stopped early: %w", err)
	}
	return res, nil
}

// Start runs the load of cfg in the background, from now until the stop
// it returns is called or cfg.Duration has passed. Stopping is no error:
// stop returns what was counted until then. A request that fails because
// the load was stopped is not counted.
func Start(cfg Config) (stop func() Result, err error) {
	workers, err := newWorkers(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- runWorkers(ctx, cfg, workers) }()
	return func() Result {
		cancel()
		return <-done
	}, nil
}

func newWorkers(cfg Config) ([]*worker, error) {
	if cfg.Conns < 1 {
		return nil, fmt.Errorf("load: %d connections, want at least 1", cfg.Conns)
	}
	if cfg.Duration <= 0 {
		return nil, fmt.Errorf("load: duration %v, want more than 0", cfg.Duration)
	}
	maxSamples := cfg.MaxSamples
	if maxSamples == 0 {
		maxSamples = DefaultMaxSamples
	}
	perConn := max(maxSamples/cfg.Conns, 1)
	var t target
	if cfg.Get == nil {
		var err error
		if t, err = parseTarget(cfg.URL); err != nil {
			return nil, err
		}
	}
	workers := make([]*worker, cfg.Conns)
	for i := range workers {
		wk := &worker{latency: newReservoir(perConn, uint64(i)), pause: cfg.Pause, get: cfg.Get}
		if wk.get == nil {
			wk.client = newClient(t)
			wk.get = wk.client.get
		}
		workers[i] = wk
	}
	return workers, nil
}

// runWorkers runs workers for cfg's warm-up and measured window, or until
// ctx is done, and adds up what they counted.
func runWorkers(ctx context.Context, cfg Config, workers []*worker) Result {
	start := time.Now()
	w := window{from: start.Add(cfg.Warmup), to: start.Add(cfg.Warmup + cfg.Duration)}
	runCtx, cancel := context.WithDeadline(ctx, w.to)
	defer cancel()
	var wg sync.WaitGroup
	for _, wk := range workers {
		if wk.client != nil {
			wk.client.deadline = w.to.Add(overrun)
		}
		wg.Go(func() { wk.run(runCtx, w) })
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
		res.Answers = addAnswers(res.Answers, wk.answers)
		wk.close()
		reservoirs[i] = &wk.latency
	}
	res.Latency = merge(reservoirs)
	return res
}

// addAnswers adds the counts of from to to, which it makes if needed.
func addAnswers(to, from map[string]int64) map[string]int64 {
	for a, n := range from {
		if to == nil {
			to = make(map[string]int64)
		}
		to[a] += n
	}
	return to
}

// window is the measured interval of a run.
type window struct{ from, to time.Time }

// worker sends one request at a time.
type worker struct {
	get      Get
	client   *client // the package's own, when Config.Get is nil
	pause    time.Duration
	latency  reservoir
	ok       int64
	failed   int64
	firstErr error
	answers  map[string]int64
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
		answer, err := wk.get(ctx)
		if sent.Before(w.from) {
			continue
		}
		if err != nil {
			select {
			case <-done:
				return // cut off by the end of the run, not the server
			default:
			}
			wk.failed++
			if wk.firstErr == nil {
				wk.firstErr = err
			}
		} else {
			wk.ok++
			wk.latency.add(time.Since(sent))
			wk.count(answer)
		}
		if wk.pause > 0 && !sleep(done, wk.pause) {
			return
		}
	}
}

func (wk *worker) count(answer string) {
	if answer == "" {
		return
	}
	if wk.answers == nil {
		wk.answers = make(map[string]int64)
	}
	wk.answers[answer]++
}

// sleep waits d and reports whether done stayed open meanwhile.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return false
	case <-t.C:
		return true
	}
}

func (wk *worker) close() {
	if wk.client != nil {
		wk.client.close()
	}
}

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
