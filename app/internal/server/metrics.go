package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// methodOther labels request methods outside the standard set, so that
// clients inventing methods cannot grow the metrics without bound.
const methodOther = "OTHER"

// HTTP status codes are three digits; codeLabels covers all of them.
const (
	minStatus = 100
	maxStatus = 999
)

// metrics holds the server's collectors and the registry they belong to.
// A registry per server, rather than the global default, keeps servers
// independent and lets tests read exact counts.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// codeLabels holds every status code already formatted, which saves
	// the hot path an allocation per request.
	codeLabels []string
}

func newMetrics() (*metrics, error) {
	labels := []string{"route", "method", "code"}
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, labels),
		codeLabels: make([]string, maxStatus-minStatus+1),
	}
	for code := minStatus; code <= maxStatus; code++ {
		m.codeLabels[code-minStatus] = strconv.Itoa(code)
	}
	for _, c := range []prometheus.Collector{
		m.requests,
		m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := m.registry.Register(c); err != nil {
			return nil, fmt.Errorf("register collector: %w", err)
		}
	}
	return m, nil
}

// observe records one served request.
func (m *metrics) observe(route, method string, code int, elapsed time.Duration) {
	c := m.codeLabel(code)
	method = methodLabel(method)
	m.requests.WithLabelValues(route, method, c).Inc()
	m.duration.WithLabelValues(route, method, c).Observe(elapsed.Seconds())
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// A collector that fails, such as the process collector where
		// /proc is restricted, should cost its own series, not the scrape.
		ErrorHandling: promhttp.ContinueOnError,
	})
}

func (m *metrics) codeLabel(code int) string {
	if code < minStatus || code > maxStatus {
		return strconv.Itoa(code)
	}
	return m.codeLabels[code-minStatus]
}

func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodConnect,
		http.MethodOptions, http.MethodTrace:
		return method
	}
	return methodOther
}
