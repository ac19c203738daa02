package server

import (
	"log/slog"
	"net/http"
	"time"
)

// observe logs and measures every request that next serves.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)

		route := routeLabel(r)
		status := rec.statusCode()
		s.metrics.observe(route, r.Method, status, elapsed)
		s.logRequest(r, route, status, rec.bytes, elapsed)
	})
}

// routeLabel returns the pattern that served r. ServeMux records it on the
// request it is handed, which is the one this middleware holds, because
// nothing between them replaces the request.
func routeLabel(r *http.Request) string {
	if r.Pattern == "" {
		return routeUnmatched
	}
	return r.Pattern
}

func (s *Server) logRequest(r *http.Request, route string, status int, bytes int64, elapsed time.Duration) {
	level := slog.LevelInfo
	// The kubelet probes /healthz and /readyz every few seconds on every
	// pod; at info level they would outnumber real traffic and bury it.
	// At debug they stay available when a probe itself is in question.
	if route == patternHealthz || route == patternReadyz {
		level = slog.LevelDebug
	}
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed)/float64(time.Millisecond)),
		slog.Int64("bytes", bytes),
		slog.String("remote_addr", r.RemoteAddr),
	)
}

// responseRecorder captures the status code and body size of a response.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the first final status code.
func (rr *responseRecorder) WriteHeader(code int) {
	// 1xx responses are informational and followed by the real one.
	if rr.status == 0 && code >= http.StatusOK {
		rr.status = code
	}
	rr.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes written.
func (rr *responseRecorder) Write(p []byte) (int, error) {
	if rr.status == 0 {
		rr.status = http.StatusOK
	}
	n, err := rr.ResponseWriter.Write(p)
	rr.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rr *responseRecorder) Unwrap() http.ResponseWriter {
	return rr.ResponseWriter
}

// statusCode returns the status sent, which is 200 if the handler wrote
// nothing at all.
func (rr *responseRecorder) statusCode() int {
	if rr.status == 0 {
		return http.StatusOK
	}
	return rr.status
}
