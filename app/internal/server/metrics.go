package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/microstack/microstack/internal/contract"
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
	// a first request with a new code an allocation.
	codeLabels []string

	// series caches, by seriesKey, the seriesPair each request feeds.
	// The vectors would find the pair too, but hash and validate the
	// three label values once per vector on every request, under a lock
	// that every connection contends for; a sync.Map is read without one.
	// The key space is bounded: routes are patterns, methods and codes
	// come from fixed sets. Nothing deletes from the vectors, so a cached
	// pair stays the one they hold.
	series sync.Map
}

// seriesKey identifies the series of one route, method and status code.
type seriesKey struct {
	route, method string
	code          int
}

// seriesPair is the request counter and the duration histogram of one
// seriesKey.
type seriesPair struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics() (*metrics, error) {
	labels := []string{contract.LabelRoute, "method", contract.LabelCode}
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: contract.MetricRequests,
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    contract.MetricDuration,
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
	p := m.seriesFor(seriesKey{route: route, method: methodLabel(method), code: code})
	p.requests.Inc()
	p.duration.Observe(elapsed.Seconds())
}

// seriesFor returns the series of k, creating them on first use.
func (m *metrics) seriesFor(k seriesKey) seriesPair {
	if p, ok := m.series.Load(k); ok {
		return p.(seriesPair)
	}
	c := m.codeLabel(k.code)
	p, _ := m.series.LoadOrStore(k, seriesPair{
		requests: m.requests.WithLabelValues(k.route, k.method, c),
		duration: m.duration.WithLabelValues(k.route, k.method, c),
	})
	return p.(seriesPair)
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
