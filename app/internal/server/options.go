package server

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/microstack/microstack/app/internal/buildinfo"
	"github.com/microstack/microstack/app/internal/requestlog"
)

// Option customises a Server created by New.
type Option func(*options)

type options struct {
	logger     *slog.Logger
	build      buildinfo.Info
	routes     []route
	requestLog *requestlog.Writer
}

type route struct {
	pattern string
	handler http.Handler
}

// WithLogger sets the logger for request, lifecycle and net/http error
// logs. Without it the server logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithRequestLog writes the request records to w, encoded as the logger's
// handler would encode them if it is a slog.JSONHandler on w with no
// options other than its level, but at a fraction of its cost. The
// logger's level still decides which requests are logged; w receives one
// Write per record and must be safe for concurrent use.
func WithRequestLog(w io.Writer) Option {
	return func(o *options) { o.requestLog = requestlog.NewWriter(w) }
}

// WithBuildInfo sets what /version reports, instead of the running
// binary's buildinfo.Get().
func WithBuildInfo(info buildinfo.Info) Option {
	return func(o *options) { o.build = info }
}

// WithRoute registers an additional handler on the server's ServeMux, behind
// the same logging and metrics as the built-in routes. The pattern uses
// http.ServeMux syntax and also becomes the route's metrics label. New
// panics, as http.ServeMux.Handle does, if the pattern is invalid or
// conflicts with another.
func WithRoute(pattern string, h http.Handler) Option {
	return func(o *options) { o.routes = append(o.routes, route{pattern, h}) }
}
