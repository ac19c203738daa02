package server

import (
	"maps"
	"net/http"
	"slices"
	"testing"
)

// testRouter returns the router of a server built with opts.
func testRouter(t testing.TB, opts ...Option) router {
	t.Helper()
	s := newTestServer(t, testConfig())
	o := options{build: testBuild()}
	for _, opt := range opts {
		opt(&o)
	}
	rt, err := s.routes(o)
	if err != nil {
		t.Fatalf("routes: %v", err)
	}
	return rt
}

// sameRoute fails t unless rt.lookup gives req the pattern mux.Handler
// gives it.
func sameRoute(t *testing.T, rt router, req *http.Request) {
	t.Helper()
	_, got := rt.lookup(req)
	if _, want := rt.mux.Handler(req); got != want {
		t.Errorf("%s %s (host %q): lookup pattern %q, mux pattern %q", req.Method, req.URL, req.Host, got, want)
	}
}

func TestRouterExactPaths(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want []string
	}{
		{"built-in routes", nil, []string{"/", "/healthz", "/metrics", "/readyz", "/version"}},
		{"a subtree's own path is exact, a wildcard's is not", []Option{
			WithRoute("GET /static/", http.NotFoundHandler()),
			WithRoute("GET /items/{id}", http.NotFoundHandler()),
		}, []string{"/", "/healthz", "/metrics", "/readyz", "/static/", "/version"}},
		{"a method-less pattern is exact", []Option{WithRoute("/any", http.NotFoundHandler())},
			[]string{"/", "/any", "/healthz", "/metrics", "/readyz", "/version"}},
		{"a HEAD pattern takes its path out", []Option{WithRoute("HEAD /healthz", http.NotFoundHandler())},
			[]string{"/", "/metrics", "/readyz", "/version"}},
		{"a POST pattern takes nothing out", []Option{WithRoute("POST /version", http.NotFoundHandler())},
			[]string{"/", "/healthz", "/metrics", "/readyz", "/version"}},
		{"a host pattern takes every path out", []Option{WithRoute("GET example.test/healthz", http.NotFoundHandler())}, nil},
		{"an escaped path is not exact", []Option{WithRoute("GET /a%20b", http.NotFoundHandler())},
			[]string{"/", "/healthz", "/metrics", "/readyz", "/version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := testRouter(t, tt.opts...)
			if got := slices.Sorted(maps.Keys(rt.exact)); !slices.Equal(got, tt.want) {
				t.Errorf("exact paths = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRouterMatchesMux sends requests on every shape of path, method and
// host through lookup and through the mux alone, with patterns that
// compete with the exact ones.
func TestRouterMatchesMux(t *testing.T) {
	rt := testRouter(t,
		WithRoute("HEAD /readyz", http.NotFoundHandler()),
		WithRoute("GET /static/", http.NotFoundHandler()),
		WithRoute("GET /items/{id}", http.NotFoundHandler()),
		WithRoute("/any", http.NotFoundHandler()),
	)
	targets := []string{
		"/", "/healthz", "/healthz/", "//healthz", "/./healthz", "/a/../healthz", "/%68ealthz",
		"/readyz", "/version?verbose=1", "/metrics#x", "/static", "/static/", "/items/7", "/any",
		"http://example.test/healthz", "/unknown", "/HEALTHZ",
	}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, "BREW"} {
		for _, target := range targets {
			for _, host := range []string{"example.test", "example.test:8080", ""} {
				req, err := parseRequest(method, target, nil)
				if err != nil {
					t.Fatalf("parse %s %s: %v", method, target, err)
				}
				req.Host = host
				sameRoute(t, rt, req)
			}
		}
	}
}

func FuzzRouterMatchesMux(f *testing.F) {
	f.Add("GET", "/", "example.test")
	f.Add("HEAD", "/healthz", "example.test:80")
	f.Add("GET", "/%2fversion", "")
	f.Add("GET", "/metrics/..", "x")
	rt := testRouter(f, WithRoute("HEAD /readyz", http.NotFoundHandler()), WithRoute("/any", http.NotFoundHandler()))
	f.Fuzz(func(t *testing.T, method, target, host string) {
		req, err := parseRequest(method, target, nil)
		if err != nil {
			t.Skip("net/http rejects this request before any handler runs")
		}
		req.Host = host
		sameRoute(t, rt, req)
	})
}
