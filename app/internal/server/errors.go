package server

import "net/http"

// jsonErrors makes the 404 and 405 responses that ServeMux generates for
// unmatched requests JSON, like every other response of the API.
//
// It looks the request up once and serves matched requests, the vast
// majority, with the handler found and no extra wrapper: routing through
// mux.ServeHTTP would look it up a second time. Only a pattern with
// wildcards goes through mux.ServeHTTP, which alone can give its handler
// the path values. The mux's own handlers keep deciding the status and
// the Allow header of unmatched requests; only their plain-text body is
// replaced.
func jsonErrors(rt router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := rt.lookup(r)
		switch {
		case pattern == "":
			h.ServeHTTP(&errorRewriter{ResponseWriter: w, req: r}, r)
		case rt.wildcards[pattern]:
			rt.mux.ServeHTTP(w, r)
		default:
			// What mux.ServeHTTP records, for the metrics and logs.
			r.Pattern = pattern
			h.ServeHTTP(w, r)
		}
	})
}

// errorRewriter replaces the body of a 404 or 405 response with JSON.
// Other statuses, such as the redirects ServeMux issues for unclean
// paths, pass through untouched.
type errorRewriter struct {
	http.ResponseWriter
	req       *http.Request
	rewritten bool
}

// WriteHeader writes the JSON error in place of a 404 or 405.
func (e *errorRewriter) WriteHeader(code int) {
	var msg string
	switch code {
	case http.StatusNotFound:
		msg = "not found"
	case http.StatusMethodNotAllowed:
		msg = "method not allowed"
	default:
		e.ResponseWriter.WriteHeader(code)
		return
	}
	e.rewritten = true
	writeError(e.ResponseWriter, e.req, code, msg)
}

// Write drops the plain-text body once the JSON one has been written.
func (e *errorRewriter) Write(p []byte) (int, error) {
	if e.rewritten {
		return len(p), nil
	}
	return e.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (e *errorRewriter) Unwrap() http.ResponseWriter {
	return e.ResponseWriter
}
