package alerts

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/microstack/microstack/infra/stackconfig"
	"github.com/microstack/microstack/internal/contract"
)

// Alert names. Every alert also carries the labels namespace and service,
// so one Prometheus can watch many stacks.
const (
	ErrorRatioHigh       = "MicrostackErrorRatioHigh"
	LatencyP99High       = "MicrostackLatencyP99High"
	AvailableReplicasLow = "MicrostackAvailableReplicasLow"
)

// TargetLabel is the target label that tells the stack's pods from any
// other's: app.kubernetes.io/instance, as the pod scrape job's labelmap
// and the ServiceMonitor's podTargetLabels both name it.
const TargetLabel = "app_kubernetes_io_instance"

// File is a Prometheus rules file.
type File struct {
	Groups []Group `json:"groups"`
}

// Group is a named list of rules, evaluated together.
type Group struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// For renders the alert rules of the stack cfg describes.
func For(cfg stackconfig.Config) File {
	a := cfg.Monitoring.Alerts
	target := fmt.Sprintf(`namespace=%q,%s=%q`, cfg.Namespace, TargetLabel, cfg.Instance())
	user := fmt.Sprintf(`%s,%s!~%q`, target, contract.LabelRoute, strings.Join(contract.PlatformRoutes(), "|"))
	minimum := cfg.Scaling.MinAvailableReplicas()
	alert := func(name, severity, expr, summary, description string) Rule {
		return Rule{
			Alert: name, Expr: expr, For: a.For,
			Labels:      map[string]string{"severity": severity, "namespace": cfg.Namespace, "service": cfg.Name},
			Annotations: map[string]string{"summary": summary, "description": description},
		}
	}
	return File{Groups: []Group{{
		Name: cfg.Instance(),
		Rules: []Rule{
			alert(ErrorRatioHigh, "critical",
				fmt.Sprintf(`sum(rate(%s{%s,%s=~"5.."}[%s])) / sum(rate(%[1]s{%[2]s}[%[4]s])) > %s`,
					contract.MetricRequests, user, contract.LabelCode, a.Window, number(a.ErrorRatio)),
				fmt.Sprintf("%s answers more than %s of requests with 5xx", cfg.Instance(), percent(a.ErrorRatio)),
				fmt.Sprintf("{{ $value | humanizePercentage }} of requests to %s in %s failed over %s.",
					cfg.Name, cfg.Namespace, a.Window)),
			alert(LatencyP99High, "warning",
				fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (rate(%s_bucket{%s}[%s]))) > %s`,
					contract.MetricDuration, user, a.Window, number(a.LatencySeconds)),
				fmt.Sprintf("%s p99 latency is above %ss", cfg.Instance(), number(a.LatencySeconds)),
				fmt.Sprintf("The 99th percentile of request durations of %s in %s is {{ $value | humanizeDuration }} over %s.",
					cfg.Name, cfg.Namespace, a.Window)),
			// Counted by pod, so a pod scraped by two jobs (annotations and a
			// ServiceMonitor) counts once. count() of nothing is no sample at
			// all: "or vector(0)" makes a stack whose every pod is gone read
			// as 0, not as silence.
			alert(AvailableReplicasLow, "critical",
				fmt.Sprintf(`(count(count by (pod) (up{%s} == 1)) or vector(0)) < %d`, target, minimum),
				fmt.Sprintf("%s has fewer than %d available replicas", cfg.Instance(), minimum),
				fmt.Sprintf("Only {{ $value }} pods of %s in %s answer their scrape; the stack runs at least %d.",
					cfg.Name, cfg.Namespace, minimum)),
		},
	}}}
}

// YAML is the rules file's text, as `promtool check rules` and
// Prometheus' rule_files read it.
func (f File) YAML() (string, error) {
	b, err := yaml.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encoding alert rules: %w", err)
	}
	return string(b), nil
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func percent(f float64) string { return strconv.FormatFloat(f*100, 'g', -1, 64) + "%" }
