package server

import "net/http"

// jsonErrors makes the 404 and 405 responses that ServeMux generates for
// unmatched requests JSON, like every other response of the API.
//
// It asks the mux first whether a pattern matches, so that matched
// requests, the vast majority, are served without an extra wrapper. The
// mux's own handlers keep deciding the status and the Allow header; only
// their plain-text body is replaced.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&errorRewriter{ResponseWriter: w, req: r}, r)
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
