package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	tests := []struct {
		message, want string
	}{
		{"Hello, World!", `{"message":"Hello, World!"}` + "\n"},
		{`<a & "b">`, `{"message":"\u003ca \u0026 \"b\"\u003e"}` + "\n"},
	}
	for _, tt := range tests {
		h, err := newHandler(tt.message)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || string(body) != tt.want {
			t.Errorf("%q: %d %q, want 200 %q", tt.message, res.StatusCode, body, tt.want)
		}
		if ct, cl := res.Header.Get("Content-Type"), res.Header.Get("Content-Length"); ct != "application/json" || cl != h.length {
			t.Errorf("%q: Content-Type %q, Content-Length %q", tt.message, ct, cl)
		}
	}
}
