package server

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// scrape returns the body of GET /metrics.
func scrape(t *testing.T, s *Server) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics status = %d", rec.Code)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	type request struct{ method, target string }
	tests := []struct {
		name     string
		requests []request
		want     []string
		notWant  []string
	}{
		{
			name:     "counter and histogram by route pattern",
			requests: []request{{"GET", "/"}, {"GET", "/"}, {"HEAD", "/"}},
			want: []string{
				`http_requests_total{code="200",method="GET",route="GET /{$}"} 2`,
				`http_requests_total{code="200",method="HEAD",route="GET /{$}"} 1`,
				`http_request_duration_seconds_count{code="200",method="GET",route="GET /{$}"} 2`,
				`http_request_duration_seconds_bucket{code="200",method="GET",route="GET /{$}",le="+Inf"} 2`,
			},
		},
		{
			name:     "unknown paths share one label",
			requests: []request{{"GET", "/secret-123"}, {"GET", "/wp-admin/x.php"}},
			want:     []string{`http_requests_total{code="404",method="GET",route="unmatched"} 2`},
			notWant:  []string{"secret-123", "wp-admin"},
		},
		{
			name:     "wrong method",
			requests: []request{{"PUT", "/version"}},
			want:     []string{`http_requests_total{code="405",method="PUT",route="unmatched"} 1`},
		},
		{
			name:     "invented methods share one label",
			requests: []request{{"BREW", "/"}, {"PROPFIND", "/"}},
			want:     []string{`http_requests_total{code="405",method="OTHER",route="unmatched"} 2`},
			notWant:  []string{"BREW", "PROPFIND"},
		},
		{
			name:     "probes",
			requests: []request{{"GET", "/healthz"}, {"GET", "/readyz"}},
			want: []string{
				`http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
				`http_requests_total{code="200",method="GET",route="GET /readyz"} 1`,
			},
		},
		{
			name: "runtime collectors",
			want: []string{"go_goroutines ", "go_gc_duration_seconds"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, testConfig())
			for _, r := range tt.requests {
				s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.target, nil))
			}
			body := scrape(t, s)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("metrics lack %s", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("metrics contain %q", w)
				}
			}
		})
	}
}

func TestProcessMetrics(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the process collector reads /proc, which only Linux has")
	}
	if body := scrape(t, newTestServer(t, testConfig())); !strings.Contains(body, "process_start_time_seconds") {
		t.Error("metrics lack process_start_time_seconds")
	}
}

func TestServersHaveSeparateRegistries(t *testing.T) {
	a := newTestServer(t, testConfig())
	b := newTestServer(t, testConfig())
	a.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if body := scrape(t, b); strings.Contains(body, `route="GET /{$}"`) {
		t.Error("a request to one server shows up in another's metrics")
	}
}
