package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlers(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		chunked    bool // send the body without a Content-Length
		draining   bool
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{
			name: "hello", method: http.MethodGet, target: "/",
			wantStatus: http.StatusOK,
			wantBody:   `{"message":"Hello from the tests"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json", "Content-Length": "35"},
		},
		{
			name: "hello with query", method: http.MethodGet, target: "/?name=x",
			wantStatus: http.StatusOK, wantBody: `{"message":"Hello from the tests"}` + "\n",
		},
		{
			name: "hello head", method: http.MethodHead, target: "/",
			wantStatus: http.StatusOK, wantBody: "",
			wantHeader: map[string]string{"Content-Type": "application/json", "Content-Length": "35"},
		},
		{
			name: "hello with small body", method: http.MethodGet, target: "/", body: strings.Repeat("a", 1024),
			wantStatus: http.StatusOK, wantBody: `{"message":"Hello from the tests"}` + "\n",
		},
		{
			name: "hello with large body", method: http.MethodGet, target: "/", body: strings.Repeat("a", 1025),
			wantStatus: http.StatusRequestEntityTooLarge,
			wantBody:   `{"error":"request body exceeds 1024 bytes"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json", "Connection": "close"},
		},
		{
			name: "hello with large chunked body", method: http.MethodGet, target: "/", body: strings.Repeat("a", 4096), chunked: true,
			wantStatus: http.StatusRequestEntityTooLarge,
			wantBody:   `{"error":"request body exceeds 1024 bytes"}` + "\n",
		},
		{
			name: "not found", method: http.MethodGet, target: "/nope",
			wantStatus: http.StatusNotFound, wantBody: `{"error":"not found"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			name: "not found below a route", method: http.MethodGet, target: "/healthz/extra",
			wantStatus: http.StatusNotFound, wantBody: `{"error":"not found"}` + "\n",
		},
		{
			name: "not found head", method: http.MethodHead, target: "/nope",
			wantStatus: http.StatusNotFound, wantBody: "",
		},
		{
			name: "method not allowed", method: http.MethodPost, target: "/",
			wantStatus: http.StatusMethodNotAllowed, wantBody: `{"error":"method not allowed"}` + "\n",
			wantHeader: map[string]string{"Allow": "GET, HEAD", "Content-Type": "application/json"},
		},
		{
			name: "method not allowed on health", method: http.MethodDelete, target: "/healthz",
			wantStatus: http.StatusMethodNotAllowed, wantBody: `{"error":"method not allowed"}` + "\n",
			wantHeader: map[string]string{"Allow": "GET, HEAD"},
		},
		{
			name: "healthz", method: http.MethodGet, target: "/healthz",
			wantStatus: http.StatusOK, wantBody: `{"status":"ok"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			// Liveness must hold while draining, or the kubelet would
			// restart a pod that is merely shutting down.
			name: "healthz while draining", method: http.MethodGet, target: "/healthz", draining: true,
			wantStatus: http.StatusOK, wantBody: `{"status":"ok"}` + "\n",
		},
		{
			name: "readyz", method: http.MethodGet, target: "/readyz",
			wantStatus: http.StatusOK, wantBody: `{"status":"ready"}` + "\n",
		},
		{
			name: "readyz while draining", method: http.MethodGet, target: "/readyz", draining: true,
			wantStatus: http.StatusServiceUnavailable, wantBody: `{"status":"draining"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
		{
			name: "readyz head", method: http.MethodHead, target: "/readyz",
			wantStatus: http.StatusOK, wantBody: "",
		},
		{
			name: "version", method: http.MethodGet, target: "/version",
			wantStatus: http.StatusOK,
			wantBody:   `{"version":"v1.2.3","commit":"abc123","goVersion":"go1.26.0"}` + "\n",
			wantHeader: map[string]string{"Content-Type": "application/json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, testConfig())
			s.draining.Store(tt.draining)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			if tt.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			for k, want := range tt.wantHeader {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestHelloEscapesMessage(t *testing.T) {
	tests := []string{`say "hi"`, "line\nbreak", "<b>héllo</b> 👋", `back\slash`}
	for _, msg := range tests {
		t.Run(msg, func(t *testing.T) {
			cfg := testConfig()
			cfg.Message = msg
			rec := httptest.NewRecorder()
			newTestServer(t, cfg).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			var got messageBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", rec.Body, err)
			}
			if got.Message != msg {
				t.Errorf("message = %q, want %q", got.Message, msg)
			}
		})
	}
}

func TestWithRouteIsObserved(t *testing.T) {
	s := newTestServer(t, testConfig(), WithRoute("POST /echo/{name}", http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.PathValue("name")) },
	)))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/echo/gopher", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "gopher" {
		t.Fatalf("got %d %q, want 200 %q", rec.Code, rec.Body, "gopher")
	}
	want := `http_requests_total{code="200",method="POST",route="POST /echo/{name}"} 1`
	if m := scrape(t, s); !strings.Contains(m, want) {
		t.Errorf("metrics lack %s", want)
	}
}

// TestPrebuiltHeadersStayPrivate guards the header values that prebuilt
// responses share: what one response's writer does to its header must not
// reach the next response.
func TestPrebuiltHeadersStayPrivate(t *testing.T) {
	h := newTestServer(t, testConfig()).Handler()
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/", nil))
	first.Header().Add("Content-Type", "text/plain")
	first.Header().Set("Content-Length", "0")

	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := second.Header().Values("Content-Type"); len(got) != 1 || got[0] != contentTypeJSON {
		t.Errorf("Content-Type = %q, want only %q", got, contentTypeJSON)
	}
	if got := second.Header().Get("Content-Length"); got != "35" {
		t.Errorf("Content-Length = %q, want 35", got)
	}
}
