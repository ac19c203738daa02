package service

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/alerts"
	"github.com/microstack/microstack/infra/stackconfig"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "microstack:index:Service"

// Args describes one microservice.
type Args struct {
	// Namespace the objects are declared in.
	Namespace pulumi.StringInput
	// Image is the reference the pods run, pinned by digest.
	Image pulumi.StringInput
	// Env is the container's plain configuration, kept in a ConfigMap.
	Env map[string]string
	// SecretEnv is configuration kept in a Secret; it is marked secret in
	// Pulumi's state as well.
	SecretEnv map[string]string
	// Registry, when it has a user name, holds the credentials the pods
	// pull Image with.
	Registry stackconfig.Registry
	// Protect guards every object but the replaceable configuration
	// (ConfigMap, Secrets) against deletion and replacement.
	Protect   bool
	Scaling   stackconfig.Scaling
	Resources stackconfig.Resources
	Network   stackconfig.Network
	Lifecycle stackconfig.Lifecycle
	// Ingress, when it has a host, exposes the Service through the
	// cluster's ingress controller.
	Ingress       stackconfig.Ingress
	NetworkPolicy stackconfig.NetworkPolicy
	Monitoring    stackconfig.Monitoring
	// AlertRules are declared as a PrometheusRule when Monitoring asks for one.
	AlertRules alerts.File
}

// ArgsFor describes the service a stack's config asks for, in namespace,
// running image.
func ArgsFor(cfg stackconfig.Config, namespace, image pulumi.StringInput) Args {
	return Args{
		Namespace: namespace,
		Image:     image,
		Env:       cfg.AppEnv(),
		SecretEnv: cfg.SecretEnv,
		Registry:  pullRegistry(cfg.Image),
		Protect:   cfg.Protect,
		Scaling:   cfg.Scaling,
		Resources: cfg.Resources,
		Network:   cfg.Network,
		Lifecycle: cfg.Lifecycle,

		Ingress:       cfg.Ingress,
		NetworkPolicy: cfg.NetworkPolicy,
		Monitoring:    cfg.Monitoring,
		AlertRules:    alerts.For(cfg),
	}
}

// portName names the container and Service port, so probes and the
// Service's targetPort survive a port change.
const portName = "http"

// pullRegistry is the registry login the pods need, if any.
func pullRegistry(img stackconfig.Image) stackconfig.Registry {
	if !img.PullCredentials() {
		return stackconfig.Registry{}
	}
	return img.Registry
}
