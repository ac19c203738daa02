// Command infra is the Pulumi program of microstack: one stack per
// environment, each reading its config, building (or choosing) the image and
// declaring the service on Kubernetes.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/image"
	"github.com/microstack/microstack/infra/service"
	"github.com/microstack/microstack/infra/stackconfig"
)

func main() {
	pulumi.Run(program)
}

// program is the stack: config, then image, then the service component.
// Invalid config returns before any resource is registered.
func program(ctx *pulumi.Context) error {
	cfg, err := stackconfig.Load(ctx.Stack(), stackconfig.FromContext(ctx))
	if err != nil {
		return err
	}

	namespace, err := service.Namespace(ctx, cfg.Namespace, cfg.CreateNamespace)
	if err != nil {
		return err
	}

	ref, err := image.Reference(ctx, cfg.Name+"-image", cfg.Image)
	if err != nil {
		return err
	}

	app, err := service.New(ctx, cfg.Name, service.ArgsFor(cfg, namespace, ref))
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
)

func exportOutputs(ctx *pulumi.Context, app *service.Service) {
	ctx.Export(outputNamespace, app.Namespace)
	ctx.Export(outputServiceName, app.ServiceName)
	ctx.Export(outputURL, app.URL)
	ctx.Export(outputImage, app.Image)
}
