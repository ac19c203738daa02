package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", "/", []byte(nil))
	f.Add("HEAD", "/healthz", []byte(nil))
	f.Add("GET", "/readyz?x=1", []byte("body"))
	f.Add("POST", "/", bytes.Repeat([]byte("a"), 2048))
	f.Add("DELETE", "/metrics", []byte(nil))
	f.Add("BREW", "/../version/", []byte(nil))
	f.Add("GET", "//healthz", []byte(nil))
	f.Add("OPTIONS", "*", []byte(nil))
	f.Add("CONNECT", "example.test:443", []byte(nil))
	f.Add("GET", "/%2e%2e/%00", []byte{0xff, 0xfe})

	// One server for every input: building its collectors is the
	// expensive part, and sharing it also exercises accumulated state.
	s := newTestServer(f, testConfig())
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		req, err := parseRequest(method, target, body)
		if err != nil {
			t.Skip("net/http rejects this request before any handler runs")
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d", method, target, rec.Code)
		}
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
			checkJSONError(t, rec)
		}
	})
}

// parseRequest builds the request as the server would parse it off the
// wire, so the fuzzer explores what a real client can send.
func parseRequest(method, target string, body []byte) (*http.Request, error) {
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: example.test\r\nContent-Length: %d\r\n\r\n", method, target, len(body))
	raw.Write(body)
	req, err := http.ReadRequest(bufio.NewReader(&raw))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req, nil
}

func checkJSONError(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("status %d with Content-Type %q", rec.Code, ct)
	}
	if rec.Body.Len() == 0 {
		return // HEAD
	}
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Errorf("status %d with body %q, want a JSON error", rec.Code, rec.Body)
	}
}
