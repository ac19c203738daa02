// Package alerts renders a stack's Prometheus alert rules from its
// config: the app's error ratio, its p99 latency and its available
// replicas, with the stack's thresholds. The same groups become a plain
// rules file (for a Prometheus without the operator) and the spec of a
// monitoring.coreos.com/v1 PrometheusRule.
package alerts
