package cluster

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

// Provider declares the stack's Kubernetes provider: the stack's context of
// the stack's kubeconfig. Every object of the stack goes through it, so
// none follows the ambient current context or the default provider's
// kubernetes:* config.
//
// Server-side apply stays on: with the patch-force annotation on every
// object (see package service) the program owns the fields it sets, and
// a hand edit of one of them converges on the next `pulumi up --refresh`.
func Provider(ctx *pulumi.Context, name string, c stackconfig.Cluster) (*kubernetes.Provider, error) {
	args := &kubernetes.ProviderArgs{
		Context:               pulumi.String(c.Context),
		EnableServerSideApply: pulumi.Bool(true),
	}
	if c.Kubeconfig != "" {
		args.Kubeconfig = pulumi.ToSecret(pulumi.String(c.Kubeconfig)).(pulumi.StringOutput)
	}
	return kubernetes.NewProvider(ctx, name, args)
}
