package stackconfig

// Ingress exposes the Service through the cluster's ingress controller
// (a networking.k8s.io/v1 Ingress), at Host and Path.
type Ingress struct {
	// Host is the name clients use; empty means no Ingress.
	Host string
	// ClassName picks the ingress controller; empty means the cluster's
	// default IngressClass.
	ClassName string
	// Path is the prefix routed to the Service.
	Path string
	// TLSSecret names a kubernetes.io/tls Secret in the stack's namespace
	// that holds the certificate for Host.
	TLSSecret string
	// ClusterIssuer names a cert-manager ClusterIssuer that issues the
	// certificate into TLSSecret (or into <name>-tls when that is empty).
	ClusterIssuer string
}

// Enabled reports whether the stack declares an Ingress.
func (i Ingress) Enabled() bool { return i.Host != "" }

// TLS reports whether the Ingress serves HTTPS.
func (i Ingress) TLS() bool { return i.TLSSecret != "" || i.ClusterIssuer != "" }

// SecretName is the Secret the Ingress serves its certificate from, for an
// app called name ("" without TLS).
func (i Ingress) SecretName(name string) string {
	switch {
	case i.TLSSecret != "":
		return i.TLSSecret
	case i.ClusterIssuer != "":
		return name + "-tls"
	}
	return ""
}

// URL is where clients reach the app through the Ingress ("" without one).
func (i Ingress) URL() string {
	if !i.Enabled() {
		return ""
	}
	scheme := "http"
	if i.TLS() {
		scheme = "https"
	}
	return scheme + "://" + i.Host + i.Path
}

// NetworkPolicy says who may reach the pods and where they may connect.
// Ingress to the app's port is allowed from the stack's own namespace and
// from the namespaces named here, nothing else; egress only to DNS and to
// AllowEgressTo.
type NetworkPolicy struct {
	// IngressControllerNamespace is where the ingress controller's pods
	// run; empty admits none.
	IngressControllerNamespace string
	// MonitoringNamespace is where the Prometheus that scrapes the pods
	// runs; empty admits none.
	MonitoringNamespace string
	// AllowFromNamespaces are further namespaces whose pods may call the app.
	AllowFromNamespaces []string
	// AllowEgressTo are CIDRs the pods may connect to, beyond DNS.
	AllowEgressTo []string
}

// Namespaces are every namespace, besides the stack's own, whose pods may
// reach the app.
func (n NetworkPolicy) Namespaces() []string {
	var out []string
	for _, ns := range append([]string{n.IngressControllerNamespace, n.MonitoringNamespace}, n.AllowFromNamespaces...) {
		if ns != "" {
			out = append(out, ns)
		}
	}
	return out
}

// Monitoring is what the stack declares for a Prometheus: the alert rules
// (always rendered as a rules file, the stack output alertRules) and, for
// clusters running the Prometheus Operator, a ServiceMonitor and a
// PrometheusRule.
type Monitoring struct {
	ServiceMonitor bool
	PrometheusRule bool
	// Labels go on the ServiceMonitor and the PrometheusRule, for a
	// Prometheus that selects them by label (release: <name> and the like).
	Labels map[string]string
	Alerts Alerts
}

// Alerts are the thresholds of the stack's alert rules.
type Alerts struct {
	// ErrorRatio is the share of 5xx answers above which the app alerts.
	ErrorRatio float64
	// LatencySeconds is the p99 request duration above which it alerts.
	LatencySeconds float64
	// Window is the range the rates are taken over (a Prometheus duration).
	Window string
	// For is how long a condition must hold before its alert fires.
	For string
}
