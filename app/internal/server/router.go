package server

import (
	"net/http"
	"net/url"
	"strings"
)

// router is the ServeMux and what the server knows of its patterns.
type router struct {
	mux *http.ServeMux
	// wildcards holds the patterns with wildcards, whose handlers read
	// path values that only mux.ServeHTTP supplies.
	wildcards map[string]bool
	// exact maps each path that a GET and a HEAD request, on any host,
	// reach one pattern by, as the mux would route them, to that route.
	// ServeMux's lookup cleans the path, strips the port off the host
	// and walks its tree, which costs more than the rest of the routing
	// put together; the API's routes are such fixed paths.
	exact map[string]route
}

func newRouter(routes []route) router {
	rt := router{mux: http.NewServeMux(), wildcards: map[string]bool{}}
	for _, r := range routes {
		rt.mux.Handle(r.pattern, r.handler)
		if hasWildcard(r.pattern) {
			rt.wildcards[r.pattern] = true
		}
	}
	rt.exact = exactRoutes(rt.mux, routes)
	return rt
}

// lookup returns the handler of r and the pattern it matched, as
// mux.Handler does.
func (rt router) lookup(r *http.Request) (http.Handler, string) {
	// A RawPath means the path was escaped in a way of its own, which
	// the mux redirects or matches escaped.
	if r.URL.RawPath == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if e, ok := rt.exact[r.URL.Path]; ok {
			return e.handler, e.pattern
		}
	}
	return rt.mux.Handler(r)
}

// exactRoutes returns the fixed paths of routes that mux serves GET and
// HEAD requests on by their own pattern. A pattern with a host could
// outrank them for some hosts, so with one there are none.
func exactRoutes(mux *http.ServeMux, routes []route) map[string]route {
	exact := map[string]route{}
	for _, r := range routes {
		host, path := splitPattern(r.pattern)
		if host != "" {
			return nil
		}
		path = strings.TrimSuffix(path, "{$}")
		if !isFixedPath(path) || !routesTo(mux, path, r.pattern) {
			continue
		}
		exact[path] = r
	}
	return exact
}

// splitPattern returns the host and path of a ServeMux pattern
// "[METHOD ][HOST]/[PATH]".
func splitPattern(pattern string) (host, path string) {
	rest := pattern
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		rest = strings.TrimLeft(pattern[i+1:], " \t")
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i], rest[i:]
	}
	return rest, ""
}

// isFixedPath reports whether path is one a request URL carries as it is:
// clean, without wildcards, and needing no escapes.
func isFixedPath(path string) bool {
	return strings.HasPrefix(path, "/") && !strings.ContainsAny(path, "{}%") &&
		(&url.URL{Path: path}).EscapedPath() == path
}

// routesTo reports whether mux routes GET and HEAD requests for path to
// pattern, and to no redirect.
func routesTo(mux *http.ServeMux, path, pattern string) bool {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req := &http.Request{Method: method, Host: "example.test", URL: &url.URL{Path: path}}
		if _, p := mux.Handler(req); p != pattern {
			return false
		}
	}
	return true
}

// hasWildcard reports whether pattern has a wildcard other than {$}, whose
// handler reads path values.
func hasWildcard(pattern string) bool {
	return strings.Contains(strings.ReplaceAll(pattern, "{$}", ""), "{")
}
