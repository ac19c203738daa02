package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/microstack/microstack/app/internal/requestlog"
)

// observe logs and measures every request that next serves.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		// time.Since reads the monotonic clock alone, where time.Now
		// reads it and the wall clock; the end's wall time follows from
		// the start's, one clock read fewer on every request.
		elapsed := time.Since(start)
		end := start.Add(elapsed)

		route := routeLabel(r)
		status := rec.statusCode()
		s.metrics.observe(route, r.Method, status, elapsed)
		s.logRequest(r, route, status, rec.bytes, end, elapsed)
	})
}

// closeWhenDraining marks every response "Connection: close" once the
// server drains, so that net/http closes each keep-alive connection right
// after a response, where its client expects the close, and the client's
// next request opens a connection to a pod that is staying.
//
// http.Server.SetKeepAlivesEnabled(false) would close the idle connections
// at once instead, under clients that may be sending on them at that
// moment: those requests fail with a reset or EOF, which most clients do
// not retry.
func (s *Server) closeWhenDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
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

// logRequest writes the request's log record, stamped with end, the time
// the response was complete.
//
// Under the request log of WithRequestLog, the record is encoded directly.
// Otherwise it goes to the logger's handler itself: Logger.LogAttrs would
// also record the caller's program counter, which costs a stack walk per
// request, more than encoding the record, for a source location that the
// service's handler never prints and that would always point here.
func (s *Server) logRequest(r *http.Request, route string, status int, bytes int64, end time.Time, elapsed time.Duration) {
	level := slog.LevelInfo
	// The kubelet probes /healthz and /readyz every few seconds on every
	// pod; at info level they would outnumber real traffic and bury it.
	// At debug they stay available when a probe itself is in question.
	if route == patternHealthz || route == patternReadyz {
		level = slog.LevelDebug
	}
	ctx := r.Context()
	h := s.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	e := requestlog.Entry{
		Time:       end,
		Level:      level,
		Method:     r.Method,
		Path:       r.URL.Path,
		Route:      route,
		Status:     status,
		Duration:   elapsed,
		Bytes:      bytes,
		RemoteAddr: r.RemoteAddr,
	}
	// A log write that fails has nowhere to be reported.
	if s.requestLog != nil {
		_ = s.requestLog.Write(e)
		return
	}
	_ = h.Handle(ctx, e.Record())
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
