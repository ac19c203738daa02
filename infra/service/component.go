package service

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

// Service is the component: what other code and stack outputs need of it.
type Service struct {
	pulumi.ResourceState

	// Namespace the objects live in.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// ServiceName is the Kubernetes Service's name.
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// DeploymentName is the Kubernetes Deployment's name.
	DeploymentName pulumi.StringOutput `pulumi:"deploymentName"`
	// URL reaches the app from inside the cluster.
	URL pulumi.StringOutput `pulumi:"url"`
	// Image is the digest-pinned reference the pods run.
	Image pulumi.StringOutput `pulumi:"image"`
	// ExternalURL reaches the app through its Ingress ("" without one).
	ExternalURL pulumi.StringOutput `pulumi:"externalUrl"`
	// AlertRules is the stack's alert rules as a Prometheus rules file.
	AlertRules pulumi.StringOutput `pulumi:"alertRules"`
}

// New declares the microservice name and all its Kubernetes objects, as
// children of one component.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Service, error) {
	s := &Service{}
	if err := ctx.RegisterComponentResource(TypeToken, name, s, opts...); err != nil {
		return nil, fmt.Errorf("registering %s: %w", name, err)
	}
	b := builder{
		ctx: ctx, name: name, args: args, parent: pulumi.Parent(s),
		labels: labels{name: name, instance: stackconfig.InstanceLabel(name, ctx.Stack())},
	}
	if err := b.declare(s); err != nil {
		return nil, fmt.Errorf("declaring service %s: %w", name, err)
	}
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{
		"namespace":      s.Namespace,
		"serviceName":    s.ServiceName,
		"deploymentName": s.DeploymentName,
		"url":            s.URL,
		"image":          s.Image,
		"externalUrl":    s.ExternalURL,
		"alertRules":     s.AlertRules,
	})
}

// builder carries what every child needs.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   Args
	parent pulumi.ResourceOption
	labels labels
}

// owned are the options of every object the stack must not lose: all but
// the replaceable configuration, which protected objects depend on, so a
// refused destroy deletes none of it either.
func (b builder) owned() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{b.parent, pulumi.Protect(b.args.Protect)}
}

func (b builder) declare(s *Service) error {
	env, err := b.configMap()
	if err != nil {
		return err
	}
	secret, err := b.secret()
	if err != nil {
		return err
	}
	account, err := b.serviceAccount()
	if err != nil {
		return err
	}
	deployment, err := b.deployment(env, secret, account)
	if err != nil {
		return err
	}
	svc, err := b.service()
	if err != nil {
		return err
	}
	if err := b.autoscaler(deployment); err != nil {
		return err
	}
	if err := b.disruptionBudget(); err != nil {
		return err
	}
	if err := b.reachAndWatch(); err != nil {
		return err
	}
	s.Namespace = svc.Metadata.Namespace().Elem()
	s.ServiceName = svc.Metadata.Name().Elem()
	s.DeploymentName = deployment.Metadata.Name().Elem()
	s.URL = pulumi.Sprintf("http://%s.%s.svc.cluster.local:%d", s.ServiceName, s.Namespace, b.args.Network.ServicePort)
	s.Image = b.args.Image.ToStringOutput()
	s.ExternalURL = pulumi.String(b.args.Ingress.URL()).ToStringOutput()
	rules, err := b.args.AlertRules.YAML()
	if err != nil {
		return err
	}
	s.AlertRules = pulumi.String(rules).ToStringOutput()
	return nil
}

// reachAndWatch declares who reaches the pods (Ingress, NetworkPolicy) and
// how Prometheus watches them (ServiceMonitor, PrometheusRule).
func (b builder) reachAndWatch() error {
	for _, declare := range []func() error{b.ingress, b.networkPolicy, b.serviceMonitor, b.prometheusRule} {
		if err := declare(); err != nil {
			return err
		}
	}
	return nil
}
