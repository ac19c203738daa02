package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that costs nothing, so the benchmark
// measures the server rather than httptest.ResponseRecorder.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

// benchLoggers are the logging set-ups the hot path is measured with: none,
// the JSON request log through slog's handler, and the same lines encoded
// by WithRequestLog, as the service writes them.
func benchLoggers() []struct {
	name string
	opts []Option
} {
	jsonLogger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return []struct {
		name string
		opts []Option
	}{
		{"log=none", []Option{WithLogger(slog.New(slog.DiscardHandler))}},
		{"log=json", []Option{WithLogger(jsonLogger)}},
		{"log=requestlog", []Option{WithLogger(jsonLogger), WithRequestLog(io.Discard)}},
	}
}

// serveLoop serves GET target on h until next says stop, as one
// connection's goroutine does, and returns the last status.
func serveLoop(h http.Handler, target string, next func() bool) int {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	w := &discardWriter{header: make(http.Header)}
	for next() {
		clear(w.header)
		req.Pattern = ""
		h.ServeHTTP(w, req)
	}
	return w.status
}

func BenchmarkHello(b *testing.B) {
	for _, tt := range benchLoggers() {
		b.Run(tt.name, func(b *testing.B) {
			h := newTestServer(b, testConfig(), tt.opts...).Handler()
			b.ReportAllocs()
			if status := serveLoop(h, "/", b.Loop); status != http.StatusOK {
				b.Fatalf("status = %d", status)
			}
		})
	}
}

// BenchmarkHelloParallel serves GET / from every P at once, as the server
// does under many connections, which also measures contention in the
// logger and the metrics.
func BenchmarkHelloParallel(b *testing.B) {
	for _, tt := range benchLoggers() {
		b.Run(tt.name, func(b *testing.B) {
			h := newTestServer(b, testConfig(), tt.opts...).Handler()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				// A goroutine may get no iteration at all, and status 0.
				if status := serveLoop(h, "/", pb.Next); status != http.StatusOK && status != 0 {
					b.Errorf("status = %d", status)
				}
			})
		})
	}
}

func BenchmarkNotFound(b *testing.B) {
	h := newTestServer(b, testConfig()).Handler()
	b.ReportAllocs()
	if status := serveLoop(h, "/missing", b.Loop); status != http.StatusNotFound {
		b.Fatalf("status = %d", status)
	}
}
