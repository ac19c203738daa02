// Command infra is the Pulumi program of microstack: one stack per
// environment, each reading its config, checking it against its own
// cluster, building (or choosing) the image and declaring the service on
// Kubernetes.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/cluster"
	"github.com/microstack/microstack/infra/image"
	"github.com/microstack/microstack/infra/service"
)

func main() {
	p := &program{open: cluster.Open}
	pulumi.Run(p.run, p.captureConfigKeys)
}

// run is the stack: config and its cluster, then image, then the service
// component. Invalid config, or a plan the cluster refuses, returns before
// any resource is registered.
func (p *program) run(ctx *pulumi.Context) error {
	cfg, err := p.check(ctx)
	if err != nil {
		return err
	}
	for _, ignored := range cfg.Ignored() {
		_ = ctx.Log.Warn(ignored, nil)
	}

	provider, err := cluster.Provider(ctx, cfg.Name+"-cluster", cfg.Cluster)
	if err != nil {
		return err
	}
	onCluster := []pulumi.ResourceOption{pulumi.Provider(provider), pulumi.Protect(cfg.Protect)}

	namespace, err := service.Namespace(ctx, cfg.Namespace, cfg.Instance(), cfg.CreateNamespace, onCluster...)
	if err != nil {
		return err
	}

	ref, err := image.Reference(ctx, cfg.Name+"-image", cfg.Image)
	if err != nil {
		return err
	}

	app, err := service.New(ctx, cfg.Name, service.ArgsFor(cfg, namespace, ref), pulumi.Providers(provider))
	if err != nil {
		return err
	}

	exportOutputs(ctx, app)
	return nil
}

// Stack output names; other stacks read them with a StackReference.
const (
	outputNamespace   = "namespace"
	outputServiceName = "serviceName"
	outputURL         = "url"
	outputImage       = "image"
	outputExternalURL = "externalUrl"
	outputAlertRules  = "alertRules"
)

func exportOutputs(ctx *pulumi.Context, app *service.Service) {
	ctx.Export(outputNamespace, app.Namespace)
	ctx.Export(outputServiceName, app.ServiceName)
	ctx.Export(outputURL, app.URL)
	ctx.Export(outputImage, app.Image)
	ctx.Export(outputExternalURL, app.ExternalURL)
	ctx.Export(outputAlertRules, app.AlertRules)
}
