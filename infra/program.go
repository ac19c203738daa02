package main

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"

	"github.com/microstack/microstack/infra/cluster"
	"github.com/microstack/microstack/infra/service"
	"github.com/microstack/microstack/infra/stackconfig"
	"github.com/microstack/microstack/infra/stackconfig/pulumisource"
)

// program holds what the stack's run depends on beyond its config.
type program struct {
	// open connects to the cluster the stack names (cluster.Open, or a
	// fake in tests).
	open cluster.Opener
	// configKeys is every key the stack sets, so that keys the program
	// does not know are reported (the SDK offers no way to list them).
	configKeys []string
}

// captureConfigKeys is a pulumi.RunOption that records the stack's keys;
// it must come after any option that sets the config.
func (p *program) captureConfigKeys(info *pulumi.RunInfo) {
	p.configKeys = slices.Collect(maps.Keys(info.Config))
}

// check loads and validates the stack's config, opens its cluster and asks
// the cluster whether the plan is safe, reporting every problem at once.
func (p *program) check(ctx *pulumi.Context) (stackconfig.Config, error) {
	cfg, configErr := stackconfig.Load(ctx.Stack(), pulumisource.New(ctx, p.configKeys...))
	if cfg.Cluster.Context == "" {
		return cfg, configErr
	}
	kube, openErr := p.open(cfg.Cluster)
	if err := stackconfig.Join(configErr, openErr); err != nil {
		return cfg, err
	}
	return cfg, cluster.Preflight(ctx.Context(), kube, planFor(cfg))
}

// planFor is what the stack will declare, as the preflight checks see it:
// the objects named after the service (ConfigMaps and Secrets are
// auto-named, so they never collide) and one pod's requests.
func planFor(cfg stackconfig.Config) cluster.Plan {
	objects := []cluster.Object{
		{Kind: cluster.KindDeployment, Name: cfg.Name},
		{Kind: cluster.KindService, Name: cfg.Name},
		{Kind: cluster.KindServiceAccount, Name: cfg.Name},
		{Kind: cluster.KindHorizontalPodAutoscaler, Name: cfg.Name},
	}
	if cfg.Scaling.Replicated() {
		objects = append(objects, cluster.Object{Kind: cluster.KindPodDisruptionBudget, Name: cfg.Name})
	}
	objects = append(objects, cluster.Object{Kind: cluster.KindNetworkPolicy, Name: cfg.Name})
	if cfg.Ingress.Enabled() {
		objects = append(objects, cluster.Object{Kind: cluster.KindIngress, Name: cfg.Name})
	}
	return cluster.Plan{
		Namespace:       cfg.Namespace,
		CreateNamespace: cfg.CreateNamespace,
		Instance:        cfg.Instance(),
		Objects:         objects,
		Requests: map[string]cluster.Request{
			stackconfig.KeyCPURequest:    {Resource: corev1.ResourceCPU, Quantity: cfg.Resources.CPURequest},
			stackconfig.KeyMemoryRequest: {Resource: corev1.ResourceMemory, Quantity: cfg.Resources.MemoryRequest},
		},
		APIs: monitoringAPIs(cfg.Monitoring),
	}
}

// monitoringAPIs are the Prometheus Operator kinds the stack declares.
func monitoringAPIs(m stackconfig.Monitoring) []cluster.API {
	var apis []cluster.API
	for _, api := range []struct {
		key, kind string
		on        bool
	}{
		{stackconfig.KeyServiceMonitor, service.KindServiceMonitor, m.ServiceMonitor},
		{stackconfig.KeyPrometheusRule, service.KindPrometheusRule, m.PrometheusRule},
	} {
		if api.on {
			apis = append(apis, cluster.API{Key: api.key, GroupVersion: service.MonitoringAPIVersion, Kind: api.kind,
				Provider: "the Prometheus Operator's CRDs"})
		}
	}
	return apis
}
