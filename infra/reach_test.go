package main

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/microstack/microstack/infra/alerts"
	"github.com/microstack/microstack/infra/stackconfig"
)

func TestIngressServesTheHostOverTLS(t *testing.T) {
	for _, tc := range []struct {
		name           string
		settings       map[string]string
		secret, issuer string
	}{
		{"existing secret", map[string]string{stackconfig.KeyIngressTLSSecret: "shop-tls"}, "shop-tls", ""},
		{"cert-manager issuer", map[string]string{stackconfig.KeyIngressClusterIssuer: "letsencrypt"}, "microstack-tls", "letsencrypt"},
		{"plain HTTP", map[string]string{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.settings[stackconfig.KeyIngressHost] = "shop.example.com"
			tc.settings[stackconfig.KeyIngressPath] = "/api"
			tc.settings[stackconfig.KeyIngressClassName] = "traefik"
			e, err := run(t, "dev", loadStackFile(t, "dev").with(tc.settings))
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			in := e.one(t, typeIngress)
			rule := in.get("spec", "rules", 0)
			if got := path(rule, "host").StringValue(); got != "shop.example.com" {
				t.Errorf("rule host = %q", got)
			}
			p := path(rule, "http", "paths", 0)
			if path(p, "path").StringValue() != "/api" || path(p, "pathType").StringValue() != "Prefix" ||
				path(p, "backend", "service", "name").StringValue() != "microstack" ||
				path(p, "backend", "service", "port", "name").StringValue() != "http" {
				t.Errorf("path = %v, want /api (Prefix) to the Service's named port", p)
			}
			if got := in.get("spec", "ingressClassName").StringValue(); got != "traefik" {
				t.Errorf("ingressClassName = %q", got)
			}
			if got := in.get("spec", "tls", 0, "secretName"); tc.secret == "" && !got.IsNull() || tc.secret != "" && got.StringValue() != tc.secret {
				t.Errorf("tls secretName = %v, want %q", got, tc.secret)
			}
			if got := in.get("metadata", "annotations", "cert-manager.io/cluster-issuer"); tc.issuer != "" && got.StringValue() != tc.issuer || tc.issuer == "" && !got.IsNull() {
				t.Errorf("cluster-issuer annotation = %v, want %q", got, tc.issuer)
			}
			if got := in.get("metadata", "annotations", "pulumi.com/skipAwait").StringValue(); got != "true" {
				t.Errorf("skipAwait = %q: a controller that publishes no address would hold up for 10 minutes", got)
			}
		})
	}
}

func TestNoHostNoIngress(t *testing.T) {
	e, err := run(t, "dev", loadStackFile(t, "dev"))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	if n := len(e.ofType(typeIngress)); n != 0 {
		t.Errorf("%d Ingresses without ingressHost, want 0", n)
	}
}

func TestNetworkPolicyAdmitsOnlyTheNamedNamespaces(t *testing.T) {
	e, err := run(t, "dev", loadStackFile(t, "dev").with(map[string]string{
		stackconfig.KeyAllowFromNamespaces: `["team-a"]`,
		stackconfig.KeyAllowEgressTo:       `["10.20.0.0/16"]`,
		stackconfig.KeyMonitoringNamespace: "",
	}))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	np := e.one(t, typeNetworkPolicy)
	if got := np.get("spec", "podSelector", "matchLabels", "app.kubernetes.io/instance").StringValue(); got != "microstack-dev" {
		t.Errorf("podSelector instance = %q, want the stack's pods", got)
	}
	types := np.get("spec", "policyTypes").ArrayValue()
	if len(types) != 2 || types[0].StringValue() != "Ingress" || types[1].StringValue() != "Egress" {
		t.Errorf("policyTypes = %v, want Ingress and Egress", types)
	}
	rules := np.get("spec", "ingress").ArrayValue()
	if len(rules) != 1 {
		t.Fatalf("%d ingress rules, want 1", len(rules))
	}
	if got := path(rules[0], "ports", 0, "port").NumberValue(); got != 8080 {
		t.Errorf("ingress port = %v, want only the container port 8080", got)
	}
	var peers []string
	for _, peer := range path(rules[0], "from").ArrayValue() {
		if ns := path(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"); !ns.IsNull() {
			peers = append(peers, ns.StringValue())
		} else if !path(peer, "podSelector").IsNull() {
			peers = append(peers, "(own namespace)")
		}
	}
	if got, want := strings.Join(peers, ","), "(own namespace),traefik,team-a"; got != want {
		t.Errorf("ingress from = %s, want %s (an empty monitoringNamespace admits none)", got, want)
	}
	egress := np.get("spec", "egress").ArrayValue()
	if len(egress) != 2 {
		t.Fatalf("%d egress rules, want DNS and the allowed CIDR", len(egress))
	}
	for i, proto := range []string{"UDP", "TCP"} {
		if path(egress[0], "ports", i, "port").NumberValue() != 53 || path(egress[0], "ports", i, "protocol").StringValue() != proto {
			t.Errorf("egress DNS port %d = %v", i, path(egress[0], "ports", i))
		}
	}
	if got := path(egress[1], "to", 0, "ipBlock", "cidr").StringValue(); got != "10.20.0.0/16" {
		t.Errorf("egress CIDR = %q", got)
	}
}

// monitoringAPI is the Prometheus Operator's API as a cluster with its
// CRDs serves it.
var monitoringAPI = []*metav1.APIResourceList{{
	GroupVersion: "monitoring.coreos.com/v1",
	APIResources: []metav1.APIResource{
		{Name: "servicemonitors", Kind: "ServiceMonitor", Namespaced: true},
		{Name: "prometheusrules", Kind: "PrometheusRule", Namespaced: true},
	},
}}

func TestOperatorObjects(t *testing.T) {
	sc := loadStackFile(t, "prod").with(map[string]string{
		stackconfig.KeyServiceMonitor:   "true",
		stackconfig.KeyPrometheusRule:   "true",
		stackconfig.KeyMonitoringLabels: `{"release":"kube-prometheus-stack"}`,
	})
	e, err := runOn(t, "prod", sc, fakeCluster(monitoringAPI))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	sm := e.one(t, typeServiceMonitor)
	if got := sm.get("metadata", "labels", "release").StringValue(); got != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor label release = %q", got)
	}
	if got := sm.get("spec", "selector", "matchLabels", "app.kubernetes.io/instance").StringValue(); got != "microstack-prod" {
		t.Errorf("ServiceMonitor selects instance %q", got)
	}
	if got := sm.get("spec", "endpoints", 0, "port").StringValue(); got != "http" {
		t.Errorf("ServiceMonitor port = %q, want the Service's named port", got)
	}
	if !sm.protect {
		t.Error("prod's ServiceMonitor is not protected")
	}
	rule := e.one(t, typePrometheusRule)
	cfg := loadConfig(t, "prod", sc)
	want, err := yaml.Marshal(alerts.For(cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, err := yaml.Marshal(rule.get("spec").Mappable())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("PrometheusRule spec =\n%s\nwant the rules file\n%s", got, want)
	}
}

// TestOperatorObjectsNeedTheCRDs: on a cluster without the operator's
// CRDs the program fails at preview, naming both keys, before declaring
// anything.
func TestOperatorObjectsNeedTheCRDs(t *testing.T) {
	sc := loadStackFile(t, "dev").with(map[string]string{
		stackconfig.KeyServiceMonitor: "true", stackconfig.KeyPrometheusRule: "true",
	})
	e, err := run(t, "dev", sc)
	if err == nil {
		t.Fatal("program succeeded on a cluster without the monitoring.coreos.com API")
	}
	for _, key := range []string{stackconfig.KeyServiceMonitor, stackconfig.KeyPrometheusRule} {
		if !strings.Contains(err.Error(), stackconfig.FullKey(key)+": the cluster does not serve monitoring.coreos.com/v1") {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	if len(e.resources) != 0 {
		t.Errorf("%d resources registered, want 0", len(e.resources))
	}
}
