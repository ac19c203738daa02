package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

const contentTypeJSON = "application/json"

// jsonResponse is a response whose body is encoded once, when the server is
// built, so that serving it costs no encoding and no allocation for the body.
type jsonResponse struct {
	status int
	body   []byte
	length string
}

func newJSONResponse(status int, v any) (jsonResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return jsonResponse{}, fmt.Errorf("encode %T: %w", v, err)
	}
	body = append(body, '\n')
	return jsonResponse{status: status, body: body, length: strconv.Itoa(len(body))}, nil
}

// ServeHTTP writes the response.
func (j jsonResponse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", j.length)
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
