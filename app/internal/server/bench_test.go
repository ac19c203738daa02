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

func BenchmarkHello(b *testing.B) {
	tests := []struct {
		name   string
		logger *slog.Logger
	}{
		{"log=none", slog.New(slog.DiscardHandler)},
		{"log=json", slog.New(slog.NewJSONHandler(io.Discard, nil))},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			h := newTestServer(b, testConfig(), WithLogger(tt.logger)).Handler()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			w := &discardWriter{header: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				req.Pattern = ""
				h.ServeHTTP(w, req)
			}
			if w.status != http.StatusOK {
				b.Fatalf("status = %d", w.status)
			}
		})
	}
}

func BenchmarkNotFound(b *testing.B) {
	h := newTestServer(b, testConfig()).Handler()
	req := httptest.NewRequest(http.MethodGet, "/missing", nil)
	w := &discardWriter{header: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.header)
		h.ServeHTTP(w, req)
	}
}
