package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

const contentTypeJSON = "application/json"

// jsonResponse is a response whose body and headers are encoded once, when
// the server is built, so that serving it costs no encoding and no
// allocation.
type jsonResponse struct {
	status int
	body   []byte
	// contentType and length are header values shared by every response
	// served: they are assigned to the header map, not copied, and nothing
	// writes to a header value in place.
	contentType []string
	length      []string
}

func newJSONResponse(status int, v any) (jsonResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return jsonResponse{}, fmt.Errorf("encode %T: %w", v, err)
	}
	body = append(body, '\n')
	return jsonResponse{
		status:      status,
		body:        body,
		contentType: []string{contentTypeJSON},
		length:      []string{strconv.Itoa(len(body))},
	}, nil
}

// ServeHTTP writes the response.
func (j jsonResponse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Assigned directly rather than with Header.Set, which would
	// canonicalize the keys and allocate a value slice for each.
	h := w.Header()
	h["Content-Type"] = j.contentType
	h["Content-Length"] = j.length
	w.WriteHeader(j.status)
	// net/http would discard a HEAD body anyway; skipping the write keeps
	// the logged byte count truthful.
	if r.Method != http.MethodHead {
		// A failed write means the client has gone; there is no one left
		// to report it to.
		_, _ = w.Write(j.body)
	}
}

type statusBody struct {
	Status string `json:"status"`
}

type messageBody struct {
	Message string `json:"message"`
}

type errorBody struct {
	Error string `json:"error"`
}

// writeError writes a JSON error. Errors are off the hot path, so the body
// is encoded per call.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	j, err := newJSONResponse(status, errorBody{msg})
	if err != nil {
		// Unreachable: a struct with one string field always encodes.
		http.Error(w, msg, status)
		return
	}
	j.ServeHTTP(w, r)
}
