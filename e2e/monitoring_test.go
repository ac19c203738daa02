package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

// Variables hack/cluster.sh env sets for the local Prometheus.
const (
	envPrometheusURL       = "MICROSTACK_PROMETHEUS_URL"
	envMonitoringNamespace = "MICROSTACK_MONITORING_NAMESPACE"
)

// The local Prometheus loads every file of this ConfigMap as rules.
const rulesConfigMap = "prometheus-rules"

// Bounds of the monitoring checks. The local Prometheus scrapes and
// evaluates every 5 s; the kubelet syncs a changed ConfigMap into the pod
// within about a minute.
const (
	targetsTimeout = 90 * time.Second
	queryTimeout   = 60 * time.Second
	rulesTimeout   = 3 * time.Minute
)

// Resource types of the Prometheus Operator's kinds.
const (
	typeServiceMonitor = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
	typePrometheusRule = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
)

// prometheus is the local Prometheus' HTTP API.
type prometheus struct{ base string }

func newPrometheus(t *testing.T) prometheus {
	t.Helper()
	base := os.Getenv(envPrometheusURL)
	if base == "" {
		t.Fatalf("%s is not set: source hack/cluster.sh env", envPrometheusURL)
	}
	return prometheus{base: strings.TrimSuffix(base, "/")}
}

// get decodes the data of an API answer into out.
func (p prometheus) get(ctx context.Context, path string, query url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path+"?"+query.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if answer.Status != "success" {
		return fmt.Errorf("GET %s: %s", path, answer.Error)
	}
	return json.Unmarshal(answer.Data, out)
}

type target struct {
	Labels    map[string]string `json:"labels"`
	Health    string            `json:"health"`
	LastError string            `json:"lastError"`
}

// activeTargets are the scrape targets of namespace ns.
func (p prometheus) activeTargets(ctx context.Context, ns string) ([]target, error) {
	var data struct {
		Active []target `json:"activeTargets"`
	}
	if err := p.get(ctx, "/api/v1/targets", url.Values{"state": {"active"}}, &data); err != nil {
		return nil, err
	}
	var out []target
	for _, tg := range data.Active {
		if tg.Labels["namespace"] == ns {
			out = append(out, tg)
		}
	}
	return out, nil
}

// sumBy runs an instant query summing metric's series in ns by labels,
// returning each group's value keyed by its label values joined with " ".
func (p prometheus) sumBy(ctx context.Context, metric, ns string, labels ...string) (map[string]float64, error) {
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	q := fmt.Sprintf(`sum by (%s) (%s{namespace=%q})`, strings.Join(labels, ","), metric, ns)
	if err := p.get(ctx, "/api/v1/query", url.Values{"query": {q}}, &data); err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, r := range data.Result {
		key := make([]string, len(labels))
		for i, l := range labels {
			key[i] = r.Metric[l]
		}
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v", q, r.Value)
		}
		out[strings.Join(key, " ")] = v
	}
	return out, nil
}

// scrapedByPrometheus waits until every Ready pod of the Deployment in ns
// is a healthy target of the local Prometheus, and reports how long that
// took since up ended.
func (e *env) scrapedByPrometheus(ctx context.Context, t *testing.T, ns string, upEnded time.Time) {
	t.Helper()
	p := newPrometheus(t)
	var last []target
	err := wait.PollUntilContextTimeout(ctx, time.Second, targetsTimeout, true, func(ctx context.Context) (bool, error) {
		d, err := e.deployment(ctx, ns, serviceName)
		if err != nil {
			return false, err
		}
		pods, err := e.readyPods(ctx, d)
		if err != nil || len(pods) == 0 {
			return false, err
		}
		if last, err = p.activeTargets(ctx, ns); err != nil {
			return false, nil
		}
		healthy := map[string]bool{}
		for _, tg := range last {
			healthy[tg.Labels["pod"]] = tg.Health == "up"
		}
		for _, pod := range pods {
			if !healthy[pod.Name] {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("the app's pods in %s were not healthy Prometheus targets within %v after up: %+v", ns, targetsTimeout, last)
	}
	t.Logf("every Ready pod of %s was a healthy target %.1fs after up ended (%d targets)", ns, time.Since(upEnded).Seconds(), len(last))
}

// requestsSeenByPrometheus sends known numbers of requests by route and
// code and waits until a PromQL query over the HTTP API sees exactly them.
func (e *env) requestsSeenByPrometheus(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	p := newPrometheus(t)
	base := e.mustURL(ctx, t, ns)
	sent := map[string]float64{"GET /version 200": 25, "unmatched 404": 15}
	paths := map[string]string{"GET /version 200": "/version", "unmatched 404": "/no-such-page"}
	before, err := p.sumBy(ctx, "http_requests_total", ns, "route", "code")
	if err != nil {
		t.Fatal(err)
	}
	for key, n := range sent {
		for range int(n) {
			if code := statusOf(ctx, t, base+paths[key]); !strings.HasSuffix(key, " "+strconv.Itoa(code)) {
				t.Fatalf("GET %s answered %d, want %s", paths[key], code, key)
			}
		}
	}
	start := time.Now()
	var seen map[string]float64
	err = wait.PollUntilContextTimeout(ctx, time.Second, queryTimeout, true, func(ctx context.Context) (bool, error) {
		after, err := p.sumBy(ctx, "http_requests_total", ns, "route", "code")
		if err != nil {
			return false, nil
		}
		seen = map[string]float64{}
		for key := range sent {
			seen[key] = after[key] - before[key]
		}
		for key, n := range sent {
			if seen[key] != n {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("Prometheus saw %v of the requests sent, want %v", seen, sent)
	}
	t.Logf("Prometheus saw %v by route and code %.1fs after they were sent", seen, time.Since(start).Seconds())
}

func statusOf(ctx context.Context, t *testing.T, rawURL string) int {
	t.Helper()
	status, _ := getStatus(ctx, t, client, rawURL)
	return status
}

// alertRulesEvaluate loads the stack's alertRules output, as a plain rules
// file, into the local Prometheus, and waits until each rule has been
// evaluated with health "ok".
func (e *env) alertRulesEvaluate(ctx context.Context, t *testing.T, rules, group string) {
	t.Helper()
	p := newPrometheus(t)
	ns := os.Getenv(envMonitoringNamespace)
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(ctx, rulesConfigMap, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading %s/%s: %v", ns, rulesConfigMap, err)
	}
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
	cm.Data[group+".yaml"] = rules
	if _, err := e.kube.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("writing the rules: %v", err)
	}
	t.Cleanup(func() { e.removeRules(ns, group) })
	start := time.Now()
	var last []ruleState
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, rulesTimeout, true, func(ctx context.Context) (bool, error) {
		p.reload(ctx)
		last = p.rulesOf(ctx, group)
		if len(last) != 3 {
			return false, nil
		}
		for _, r := range last {
			if r.Health != "ok" || r.LastEvaluation.IsZero() || r.LastEvaluation.Year() < 2000 {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("group %s did not load and evaluate with health ok within %v: %+v", group, rulesTimeout, last)
	}
	t.Logf("Prometheus loaded %d rules of %s and evaluated them with health ok %.1fs after the ConfigMap changed", len(last), group, time.Since(start).Seconds())
}

type ruleState struct {
	Name           string    `json:"name"`
	Health         string    `json:"health"`
	State          string    `json:"state"`
	LastError      string    `json:"lastError"`
	LastEvaluation time.Time `json:"lastEvaluation"`
}

// rulesOf lists the rules of group as Prometheus runs them.
func (p prometheus) rulesOf(ctx context.Context, group string) []ruleState {
	var data struct {
		Groups []struct {
			Name  string      `json:"name"`
			Rules []ruleState `json:"rules"`
		} `json:"groups"`
	}
	if err := p.get(ctx, "/api/v1/rules", url.Values{}, &data); err != nil {
		return nil
	}
	for _, g := range data.Groups {
		if g.Name == group {
			return g.Rules
		}
	}
	return nil
}

// reload asks Prometheus to read its rule files again (it runs with
// --web.enable-lifecycle).
func (p prometheus) reload(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/-/reload", nil)
	if err != nil {
		return
	}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}

func (e *env) removeRules(ns, group string) {
	ctx := context.Background()
	cm, err := e.kube.CoreV1().ConfigMaps(ns).Get(ctx, rulesConfigMap, metav1.GetOptions{})
	if err != nil {
		return
	}
	delete(cm.Data, group+".yaml")
	_, _ = e.kube.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
}

// operatorObjects switches on the ServiceMonitor and the PrometheusRule:
// the API server, which serves the operator's CRDs, accepts and validates
// both, and the PrometheusRule holds the same rules as the rules file.
func (e *env) operatorObjects(ctx context.Context, t *testing.T, dev *stack, rules string) {
	t.Helper()
	dev.set(ctx, t, map[string]string{"serviceMonitor": "true", "prometheusRule": "true"})
	got, _, err := dev.up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	assertOps(t, got.changed(), ops{typeServiceMonitor: apitype.OpCreate, typePrometheusRule: apitype.OpCreate})
	gvr := func(resource string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: resource}
	}
	sm, err := e.dynamic.Resource(gvr("servicemonitors")).Namespace(devNamespace).Get(ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("ServiceMonitor: %v", err)
	}
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(endpoints) != 1 || endpoints[0].(map[string]any)["port"] != "http" {
		t.Errorf("ServiceMonitor endpoints = %v, want one on the Service's named port http", endpoints)
	}
	pr, err := e.dynamic.Resource(gvr("prometheusrules")).Namespace(devNamespace).Get(ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("PrometheusRule: %v", err)
	}
	var file struct {
		Groups []any `json:"groups"`
	}
	if err := yaml.Unmarshal([]byte(rules), &file); err != nil {
		t.Fatal(err)
	}
	spec, _ := pr.Object["spec"].(map[string]any)
	if fmt.Sprint(spec["groups"]) != fmt.Sprint(file.Groups) {
		t.Errorf("PrometheusRule groups differ from the alertRules output:\n%v\n%v", spec["groups"], file.Groups)
	}
}
