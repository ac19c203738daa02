package service

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/internal/contract"
)

// The Prometheus Operator's API.
const (
	MonitoringAPIVersion = "monitoring.coreos.com/v1"
	KindServiceMonitor   = "ServiceMonitor"
	KindPrometheusRule   = "PrometheusRule"
)

// scrapeInterval is how often the operator's Prometheus scrapes the pods.
const scrapeInterval = "30s"

// serviceMonitor asks a Prometheus Operator to scrape every pod behind the
// Service, labelled by pod as the annotation-driven job labels them, so
// the alert rules read both alike.
func (b builder) serviceMonitor() error {
	if !b.args.Monitoring.ServiceMonitor {
		return nil
	}
	spec := map[string]any{
		"selector": map[string]any{"matchLabels": b.labels.selectorValues()},
		"endpoints": []any{map[string]any{
			"port": portName, "path": contract.MetricsPath, "interval": scrapeInterval,
		}},
		"podTargetLabels": []any{labelName, labelInstance},
	}
	return b.monitoringObject(KindServiceMonitor, spec)
}

// prometheusRule hands the stack's alert rules to a Prometheus Operator.
func (b builder) prometheusRule() error {
	if !b.args.Monitoring.PrometheusRule {
		return nil
	}
	raw, err := json.Marshal(b.args.AlertRules)
	if err != nil {
		return fmt.Errorf("encoding alert rules: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("decoding alert rules: %w", err)
	}
	return b.monitoringObject(KindPrometheusRule, spec)
}

// monitoringObject declares one object of the operator's API, labelled
// with the stack's labels and the ones its Prometheus selects by.
func (b builder) monitoringObject(kind string, spec map[string]any) error {
	meta := b.namedMetadata()
	all := b.labels.all()
	for k, v := range b.args.Monitoring.Labels {
		all[k] = pulumi.String(v)
	}
	meta.Labels = all
	_, err := apiextensions.NewCustomResource(b.ctx, b.name, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(MonitoringAPIVersion),
		Kind:        pulumi.String(kind),
		Metadata:    meta,
		OtherFields: kubernetes.UntypedArgs{"spec": spec},
	}, b.owned()...)
	return err
}
