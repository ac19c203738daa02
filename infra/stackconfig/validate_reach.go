package stackconfig

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Bounds of the alert settings.
const (
	// A rate needs at least two scrapes in its window; a minute holds two
	// at the usual 30 s interval.
	minAlertWindow = time.Minute
	maxAlertWindow = 24 * time.Hour
	maxAlertFor    = 24 * time.Hour
)

// maxLatencySeconds is the app's highest finite histogram bucket (it uses
// client_golang's default buckets): a p99 taken from the histogram never
// exceeds it, so a threshold at or above it could never fire.
var maxLatencySeconds = prometheus.DefBuckets[len(prometheus.DefBuckets)-1]

// ingressPathPattern is an absolute URL path, as an Ingress Prefix path.
var ingressPathPattern = regexp.MustCompile(`^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$`)

func (c Config) validateIngress(p *problems) {
	in := c.Ingress
	if !in.Enabled() {
		c.ingressUnused(p)
		return
	}
	host := in.Host
	if strings.HasPrefix(host, "*.") {
		host = host[2:]
	}
	if errs := validation.IsDNS1123Subdomain(host); len(errs) > 0 {
		p.add(KeyIngressHost, "pulumi config set ingressHost <host name>, e.g. app.example.com (or *.example.com)",
			"%q is not a DNS host name: %s", in.Host, strings.Join(errs, "; "))
	}
	if !ingressPathPattern.MatchString(in.Path) || strings.Contains(in.Path, "//") {
		p.add(KeyIngressPath, "pulumi config set ingressPath /<prefix>, e.g. / or /api",
			"%q is not an absolute URL path", in.Path)
	}
	for _, k := range []struct{ key, value string }{
		{KeyIngressClassName, in.ClassName},
		{KeyIngressTLSSecret, in.TLSSecret},
		{KeyIngressClusterIssuer, in.ClusterIssuer},
	} {
		if k.value != "" {
			dnsSubdomain(p, k.key, k.value)
		}
	}
	if c.NetworkPolicy.IngressControllerNamespace == "" {
		p.add(KeyIngressControllerNamespace, "pulumi config set ingressControllerNamespace <namespace of the ingress controller's pods>",
			"is empty while ingressHost is set: the NetworkPolicy would keep the ingress controller from the pods")
	}
}

// ingressUnused reports ingress settings set without a host.
func (c Config) ingressUnused(p *problems) {
	in, d := c.Ingress, Defaults().Ingress
	noEffect(p, "pulumi config set ingressHost <host name>, or pulumi config rm %s",
		"has no effect while ingressHost is empty: there is no Ingress",
		setting{KeyIngressClassName, in.ClassName != d.ClassName},
		setting{KeyIngressPath, in.Path != d.Path},
		setting{KeyIngressTLSSecret, in.TLSSecret != d.TLSSecret},
		setting{KeyIngressClusterIssuer, in.ClusterIssuer != d.ClusterIssuer})
}

func (c Config) validateNetworkPolicy(p *problems) {
	n := c.NetworkPolicy
	for _, k := range []struct{ key, value string }{
		{KeyIngressControllerNamespace, n.IngressControllerNamespace},
		{KeyMonitoringNamespace, n.MonitoringNamespace},
	} {
		if k.value != "" {
			dnsLabel(p, k.key, k.value)
		}
	}
	for _, ns := range n.AllowFromNamespaces {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			p.add(KeyAllowFromNamespaces, "list namespace names: lower-case letters, digits and '-', at most 63",
				"%q is not a namespace name: %s", ns, strings.Join(errs, "; "))
		}
	}
	for _, cidr := range n.AllowEgressTo {
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			p.add(KeyAllowEgressTo, "list CIDRs, e.g. 10.0.0.0/8 or 192.0.2.10/32", "%q is not a CIDR", cidr)
		case prefix.Masked() != prefix:
			p.add(KeyAllowEgressTo, fmt.Sprintf("write it as %s", prefix.Masked()),
				"%q has host bits set, which a NetworkPolicy refuses", cidr)
		}
	}
}

func (c Config) validateMonitoring(p *problems) {
	m := c.Monitoring
	a := m.Alerts
	if !(a.ErrorRatio > 0 && a.ErrorRatio < 1) {
		p.add(KeyAlertErrorRatio, "pulumi config set alertErrorRatio <between 0 and 1>, e.g. 0.05 for 5%",
			"%g is not a share between 0 and 1 (exclusive)", a.ErrorRatio)
	}
	if !(a.LatencySeconds > 0 && a.LatencySeconds < maxLatencySeconds) {
		p.add(KeyAlertLatencySeconds, fmt.Sprintf("pulumi config set alertLatencySeconds <above 0, below %g>, e.g. 0.5", maxLatencySeconds),
			"%g is out of range: the app's latency histogram ends at %g s, so the p99 never exceeds it", a.LatencySeconds, maxLatencySeconds)
	}
	promDuration(p, KeyAlertWindow, a.Window, minAlertWindow, maxAlertWindow)
	promDuration(p, KeyAlertFor, a.For, 0, maxAlertFor)
	c.validateMonitoringLabels(p)
}

func (c Config) validateMonitoringLabels(p *problems) {
	m := c.Monitoring
	if len(m.Labels) > 0 && !m.ServiceMonitor && !m.PrometheusRule {
		p.add(KeyMonitoringLabels, "pulumi config set serviceMonitor true (or prometheusRule true), or pulumi config rm monitoringLabels",
			"has no effect while serviceMonitor and prometheusRule are false")
	}
	keys := make([]string, 0, len(m.Labels))
	for k := range m.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		errs := append(validation.IsQualifiedName(k), validation.IsValidLabelValue(m.Labels[k])...)
		if len(errs) > 0 {
			p.add(KeyMonitoringLabels, "use Kubernetes label names and values, e.g. release: kube-prometheus-stack",
				"%s: %q is not a valid label: %s", k, m.Labels[k], strings.Join(errs, "; "))
		}
	}
}

// promDuration checks a Prometheus duration (5m, 1h30m) against bounds.
func promDuration(p *problems, key, v string, lo, hi time.Duration) {
	fix := fmt.Sprintf("pulumi config set %s <duration from %s to %s>, e.g. 5m", key, model.Duration(lo), model.Duration(hi))
	d, err := model.ParseDuration(v)
	if err != nil {
		p.add(key, fix, "%q is not a Prometheus duration", v)
		return
	}
	if time.Duration(d) < lo || time.Duration(d) > hi {
		p.add(key, fix, "%s is out of range", v)
	}
}

func dnsSubdomain(p *problems, key, v string) {
	if errs := validation.IsDNS1123Subdomain(v); len(errs) > 0 {
		p.add(key, fmt.Sprintf("pulumi config set %s <name>, lower-case letters, digits, '-' and '.'", key),
			"%q is not a valid object name: %s", v, strings.Join(errs, "; "))
	}
}
