package alerts

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/microstack/microstack/infra/stackconfig"
)

// promtool's unit test file format (promtool test rules).
type unitFile struct {
	RuleFiles          []string   `json:"rule_files"`
	EvaluationInterval string     `json:"evaluation_interval"`
	Tests              []unitTest `json:"tests"`
}

type unitTest struct {
	Name   string      `json:"name"`
	Series []series    `json:"input_series"`
	Alerts []alertTest `json:"alert_rule_test"`
}

type series struct {
	Series string `json:"series"`
	Values string `json:"values"`
}

type alertTest struct {
	EvalTime  string     `json:"eval_time"`
	AlertName string     `json:"alertname"`
	Expected  []expAlert `json:"exp_alerts"`
}

type expAlert struct {
	Labels      map[string]string `json:"exp_labels"`
	Annotations map[string]string `json:"exp_annotations"`
}

// Synthetic traffic, per minute of the one-minute sample interval.
const (
	samples       = 90 // minutes of series: more than any window plus for
	okPerMinute   = 540
	failPerMinute = 60 // with okPerMinute: an error ratio of exactly 10%
)

// unitTests are promtool cases for cfg's rules: healthy traffic keeps every
// alert silent; 10% errors, slow requests and too few pods each fire their
// alert, with the labels and annotations a receiver sees; a draining pod's
// 503s on /readyz are not user errors.
func unitTests(cfg stackconfig.Config) unitFile {
	s := seriesOf{cfg: cfg}
	minimum := cfg.Scaling.MinAvailableReplicas()
	healthy := slices.Concat(s.requests("GET /{$}", "200", okPerMinute), s.fastRequests(), s.up(minimum, minimum))
	every := []string{ErrorRatioHigh, LatencyP99High, AvailableReplicasLow}
	silent := func(names ...string) []alertTest {
		var out []alertTest
		for _, n := range names {
			out = append(out, alertTest{EvalTime: s.evalTime(), AlertName: n, Expected: []expAlert{}})
		}
		return out
	}
	return unitFile{
		RuleFiles:          []string{"rules.yaml"},
		EvaluationInterval: "1m",
		Tests: []unitTest{
			{Name: "healthy traffic fires nothing", Series: healthy, Alerts: silent(every...)},
			{
				Name:   "probe 503s of a draining pod are not user errors",
				Series: slices.Concat(healthy, s.requests("GET /readyz", "503", okPerMinute)),
				Alerts: silent(ErrorRatioHigh),
			},
			{
				Name:   "10% of requests fail",
				Series: slices.Concat(healthy, s.requests("GET /{$}", "500", failPerMinute)),
				Alerts: []alertTest{s.fires(ErrorRatioHigh, "critical", fmt.Sprintf(
					"10%% of requests to %s in %s failed over %s.", cfg.Name, cfg.Namespace, cfg.Monitoring.Alerts.Window))},
			},
			{
				Name:   "requests take about a second",
				Series: slices.Concat(s.requests("GET /{$}", "200", okPerMinute), s.slowRequests(), s.up(minimum, minimum)),
				Alerts: []alertTest{s.fires(LatencyP99High, "warning", fmt.Sprintf(
					"The 99th percentile of request durations of %s in %s is 995ms over %s.", cfg.Name, cfg.Namespace, cfg.Monitoring.Alerts.Window))},
			},
			{
				Name:   "a pod short of the minimum",
				Series: slices.Concat(s.requests("GET /{$}", "200", okPerMinute), s.up(minimum, minimum-1)),
				Alerts: []alertTest{s.fires(AvailableReplicasLow, "critical", fmt.Sprintf(
					"Only %d pods of %s in %s answer their scrape; the stack runs at least %d.", minimum-1, cfg.Name, cfg.Namespace, minimum))},
			},
		},
	}
}

// seriesOf writes input series of the stack's pods.
type seriesOf struct{ cfg stackconfig.Config }

// target is the label set of the stack's pod number pod, plus extra.
func (s seriesOf) target(pod int, extra string) string {
	return fmt.Sprintf(`namespace=%q,%s=%q,pod="%s-%d"%s`, s.cfg.Namespace, TargetLabel, s.cfg.Instance(), s.cfg.Name, pod, extra)
}

func (s seriesOf) requests(route, code string, perMinute int) []series {
	return []series{{
		Series: fmt.Sprintf(`http_requests_total{%s}`, s.target(0, fmt.Sprintf(`,route=%q,method="GET",code=%q`, route, code))),
		Values: fmt.Sprintf("0+%dx%d", perMinute, samples),
	}}
}

// fastRequests all end within 50 ms; slowRequests between 0.5 and 1 s,
// which puts the interpolated p99 at 0.5 + 0.99 × 0.5 = 0.995 s.
func (s seriesOf) fastRequests() []series {
	return s.histogram(map[string]int{"0.025": 0, "0.05": okPerMinute, "+Inf": okPerMinute})
}

func (s seriesOf) slowRequests() []series {
	return s.histogram(map[string]int{"0.5": 0, "1": okPerMinute, "+Inf": okPerMinute})
}

func (s seriesOf) histogram(buckets map[string]int) []series {
	var out []series
	for le, perMinute := range buckets {
		out = append(out, series{
			Series: fmt.Sprintf(`http_request_duration_seconds_bucket{%s}`, s.target(0, fmt.Sprintf(`,route="GET /{$}",method="GET",code="200",le=%q`, le))),
			Values: fmt.Sprintf("0+%dx%d", perMinute, samples),
		})
	}
	return out
}

// up is the scrape health of pods pods, of which healthy answer.
func (s seriesOf) up(pods, healthy int) []series {
	var out []series
	for i := range pods {
		v := 0
		if i < healthy {
			v = 1
		}
		out = append(out, series{
			Series: fmt.Sprintf(`up{%s}`, s.target(i, "")),
			Values: fmt.Sprintf("%d+0x%d", v, samples),
		})
	}
	return out
}

// evalTime is late enough for a full window and the for duration.
func (s seriesOf) evalTime() string {
	a := s.cfg.Monitoring.Alerts
	window, _ := model.ParseDuration(a.Window)
	hold, _ := model.ParseDuration(a.For)
	return model.Duration(time.Duration(window) + time.Duration(hold) + 5*time.Minute).String()
}

func (s seriesOf) fires(alert, severity, description string) alertTest {
	var summary string
	for _, r := range For(s.cfg).Groups[0].Rules {
		if r.Alert == alert {
			summary = r.Annotations["summary"]
		}
	}
	return alertTest{EvalTime: s.evalTime(), AlertName: alert, Expected: []expAlert{{
		Labels:      map[string]string{"severity": severity, "namespace": s.cfg.Namespace, "service": s.cfg.Name},
		Annotations: map[string]string{"summary": summary, "description": description},
	}}}
}
