package contract

// Paths the service answers for the platform.
const (
	// LivenessPath answers 200 while the process can serve at all.
	LivenessPath = "/healthz"
	// ReadinessPath answers 200 while the pod should get traffic, 503
	// once it drains.
	ReadinessPath = "/readyz"
	// MetricsPath serves Prometheus metrics.
	MetricsPath = "/metrics"
)

// Metrics the service exports and the alert rules read. Both carry the
// labels route (the ServeMux pattern, e.g. "GET /healthz"), method and code.
const (
	MetricRequests = "http_requests_total"
	// MetricDuration is a histogram: its series end in _bucket, _sum, _count.
	MetricDuration = "http_request_duration_seconds"
	// LabelRoute, LabelCode are the metric labels the rules select on.
	LabelRoute = "route"
	LabelCode  = "code"
)

// PlatformRoutes are the route label values of the probe and scrape
// requests: not user traffic, so left out of error and latency ratios.
func PlatformRoutes() []string {
	return []string{"GET " + LivenessPath, "GET " + ReadinessPath, "GET " + MetricsPath}
}
