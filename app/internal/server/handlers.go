package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// maxHelloBody bounds the request body GET / accepts. The route needs no
// body at all, but some clients send a small one with GET; anything larger
// is refused rather than read.
const maxHelloBody = 1 << 10

// helloHandler serves GET /, the hot path.
type helloHandler struct {
	ok jsonResponse
}

func newHelloHandler(message string) (helloHandler, error) {
	ok, err := newJSONResponse(http.StatusOK, messageBody{message})
	if err != nil {
		return helloHandler{}, fmt.Errorf("encode message response: %w", err)
	}
	return helloHandler{ok: ok}, nil
}

// ServeHTTP answers with the configured message.
func (h helloHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if status, msg := discardBody(w, r); status != 0 {
		writeError(w, r, status, msg)
		return
	}
	h.ok.ServeHTTP(w, r)
}

// discardBody reads and drops a request body of at most maxHelloBody bytes,
// so the connection can be reused. It returns a non-zero status and message
// if the body must be refused.
func discardBody(w http.ResponseWriter, r *http.Request) (status int, msg string) {
	// The server sets http.NoBody when a request has none, which keeps
	// the common case free of the allocating MaxBytesReader.
	if r.Body == nil || r.Body == http.NoBody {
		return 0, ""
	}
	if r.ContentLength > maxHelloBody {
		return tooLarge(w)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxHelloBody)
	_, err := io.Copy(io.Discard, r.Body)
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return tooLarge(w)
	case err != nil:
		return http.StatusBadRequest, "unreadable request body"
	}
	return 0, ""
}

func tooLarge(w http.ResponseWriter) (int, string) {
	// The rest of the body stays unread, so the connection cannot carry
	// another request. MaxBytesReader would normally arrange this, but it
	// cannot see through the middleware's ResponseWriter wrapper.
	w.Header().Set("Connection", "close")
	return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", maxHelloBody)
}

// readiness serves /readyz from the server's draining flag.
type readiness struct {
	draining *atomic.Bool
	ready    jsonResponse
	drain    jsonResponse
}

func newReadiness(draining *atomic.Bool) (readiness, error) {
	ready, err := newJSONResponse(http.StatusOK, statusBody{"ready"})
	if err != nil {
		return readiness{}, fmt.Errorf("encode ready response: %w", err)
	}
	drain, err := newJSONResponse(http.StatusServiceUnavailable, statusBody{"draining"})
	if err != nil {
		return readiness{}, fmt.Errorf("encode draining response: %w", err)
	}
	return readiness{draining: draining, ready: ready, drain: drain}, nil
}

// ServeHTTP reports 503 once shutdown has begun, so that Kubernetes stops
// routing new traffic to the pod while it drains.
func (rd readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rd.draining.Load() {
		rd.drain.ServeHTTP(w, r)
		return
	}
	rd.ready.ServeHTTP(w, r)
}
