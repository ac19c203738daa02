package load

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serve starts a loopback server for h and returns its URL and a count of
// the connections it accepted.
func serve(t *testing.T, h http.HandlerFunc) (string, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/", &conns
}

func hello(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"message":"hi"}` + "\n"))
}

func quick(url string, conns int) Config {
	return Config{URL: url, Conns: conns, Warmup: 50 * time.Millisecond, Duration: 300 * time.Millisecond}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		cfg        func(url string) Config
		wantOK     bool
		wantErr    string
		wantRedial bool
	}{
		{
			name:    "keep-alive",
			handler: hello,
			cfg:     func(url string) Config { return quick(url, 4) },
			wantOK:  true,
		},
		{
			name: "connection close",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close")
				hello(w, r)
			},
			cfg:        func(url string) Config { return quick(url, 2) },
			wantOK:     true,
			wantRedial: true,
		},
		{
			name: "server errors",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "broken", http.StatusInternalServerError)
			},
			cfg:     func(url string) Config { return quick(url, 2) },
			wantErr: "status 500",
		},
		{
			name: "chunked body",
			handler: func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte("a"))
				w.(http.Flusher).Flush()
				w.Write([]byte("b"))
			},
			cfg:     func(url string) Config { return quick(url, 1) },
			wantErr: errNoLength.Error(),
			// A response the client cannot frame ends its connection.
			wantRedial: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, conns := serve(t, tt.handler)
			cfg := tt.cfg(url)
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Elapsed <= 0 || res.Elapsed > cfg.Duration {
				t.Errorf("Elapsed = %v, want within (0, %v]", res.Elapsed, cfg.Duration)
			}
			if tt.wantOK {
				if res.Requests == 0 || res.Errors != 0 {
					t.Fatalf("Requests = %d, Errors = %d (%v); want successes only", res.Requests, res.Errors, res.FirstError)
				}
				if got := int64(res.Latency.Len()); got != res.Requests {
					t.Errorf("%d latency samples for %d requests", got, res.Requests)
				}
				p50, p99 := res.Latency.Quantile(0.5), res.Latency.Quantile(0.99)
				if p50 <= 0 || p50 > p99 || p99 > res.Latency.Max() {
					t.Errorf("p50 %v, p99 %v, max %v: want 0 < p50 ≤ p99 ≤ max", p50, p99, res.Latency.Max())
				}
				if res.Throughput() <= 0 {
					t.Errorf("Throughput() = %v", res.Throughput())
				}
			}
			if tt.wantErr != "" {
				if res.Requests != 0 || res.Errors == 0 {
					t.Errorf("Requests = %d, Errors = %d; want errors only", res.Requests, res.Errors)
				}
				if res.FirstError == nil || !strings.Contains(res.FirstError.Error(), tt.wantErr) {
					t.Errorf("FirstError = %v, want %q", res.FirstError, tt.wantErr)
				}
			}
			// Every request of a closing server needs its own connection;
			// a keep-alive one needs one per client.
			if n := conns.Load(); tt.wantRedial != (n > int64(cfg.Conns)) {
				t.Errorf("%d connections accepted for %d clients (redial expected: %v)", n, cfg.Conns, tt.wantRedial)
			}
		})
	}
}

func TestRunBoundsSamples(t *testing.T) {
	url, _ := serve(t, hello)
	cfg := quick(url, 2)
	cfg.MaxSamples = 10
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests <= 10 {
		t.Skipf("only %d requests: too few to overflow the samples", res.Requests)
	}
	if n := res.Latency.Len(); n > cfg.MaxSamples {
		t.Errorf("%d samples kept, want at most %d", n, cfg.MaxSamples)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	url, _ := serve(t, hello)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	cfg := quick(url, 2)
	cfg.Duration = time.Minute
	start := time.Now()
	if _, err := Run(ctx, cfg); err == nil {
		t.Error("Run() = nil error after the context ended, want one")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %v after its context ended", took)
	}
}

func TestRunRejectsConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"https", Config{URL: "https://127.0.0.1:1/", Conns: 1, Duration: time.Second}},
		{"no host", Config{URL: "http:///x", Conns: 1, Duration: time.Second}},
		{"no connections", Config{URL: "http://127.0.0.1:1/", Duration: time.Second}},
		{"no duration", Config{URL: "http://127.0.0.1:1/", Conns: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tt.cfg); err == nil {
				t.Errorf("Run(%+v) = nil error", tt.cfg)
			}
		})
	}
}

func TestRunCountsRefusedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res, err := Run(context.Background(), quick("http://"+addr+"/", 1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || res.Requests != 0 || !strings.Contains(res.FirstError.Error(), "dial") {
		t.Errorf("Requests = %d, Errors = %d (%v); want dial errors", res.Requests, res.Errors, res.FirstError)
	}
}

func TestRunWithGetCountsAnswers(t *testing.T) {
	var calls atomic.Int64
	get := func(context.Context) (string, error) {
		switch calls.Add(1) % 3 {
		case 0:
			return "", errors.New("refused")
		case 1:
			return "old", nil
		}
		return "new", nil
	}
	res, err := Run(context.Background(), Config{Get: get, Conns: 2, Duration: 200 * time.Millisecond, Pause: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent() != calls.Load() {
		t.Errorf("Sent() = %d, want the %d calls made", res.Sent(), calls.Load())
	}
	if res.Answers["old"]+res.Answers["new"] != res.Requests || res.Answers["old"] == 0 || res.Answers["new"] == 0 {
		t.Errorf("Answers = %v for %d answered requests, want both answers counted", res.Answers, res.Requests)
	}
	if res.Errors == 0 || res.FirstError == nil || res.FirstError.Error() != "refused" {
		t.Errorf("Errors = %d (%v), want the refusals counted", res.Errors, res.FirstError)
	}
	// A 1 ms pause bounds each worker to about 200 requests in 200 ms;
	// without it a function this cheap would be called millions of times.
	if n := calls.Load(); n > 2*250 {
		t.Errorf("%d calls in 200 ms with a 1 ms pause on 2 workers: the pause was not kept", n)
	}
}

func TestStartStopsWithoutCountingTheCutOff(t *testing.T) {
	get := func(ctx context.Context) (string, error) {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Millisecond):
			return "hi", nil
		}
	}
	stop, err := Start(Config{Get: get, Conns: 4, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	began := time.Now()
	res := stop()
	if took := time.Since(began); took > time.Second {
		t.Errorf("stop took %v", took)
	}
	if res.Errors != 0 || res.Requests == 0 || res.Answers["hi"] != res.Requests {
		t.Errorf("Requests = %d, Errors = %d (%v), Answers = %v: want answers only, none cut off counted as failed",
			res.Requests, res.Errors, res.FirstError, res.Answers)
	}
}

func TestStartRejectsConfig(t *testing.T) {
	if _, err := Start(Config{URL: "https://127.0.0.1:1/", Conns: 1, Duration: time.Second}); err == nil {
		t.Error("Start with an https URL and no Get = nil error")
	}
}
