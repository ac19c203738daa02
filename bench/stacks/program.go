package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/service"
	"github.com/microstack/microstack/infra/stackconfig"
	"github.com/microstack/microstack/infra/stackconfig/pulumisource"
)

// namespacePrefix starts every namespace the bench creates: the cluster is
// shared, and other runs own the rest.
const namespacePrefix = "bench-"

// serviceNamePrefix names the services bench-1 … bench-N.
const serviceNamePrefix = "bench"

// Resources of a size's pods: small enough for 50 pods, and more, beside
// other work on a 2-core node (50 × 5m is an eighth of it); the limits give
// a pod room to start and to serve its probes.
const (
	sizeCPURequest    = "5m"
	sizeCPULimit      = "50m"
	sizeMemoryRequest = "16Mi"
	sizeMemoryLimit   = "32Mi"
)

// localContext is the kube context of hack/cluster.sh's cluster, which the
// bench's stacks name (its program deploys through the default provider,
// whose KUBECONFIG is that cluster's).
const localContext = "microstack-local"

// settings are a stack's config keys (without the "microstack:" prefix),
// over stackconfig's defaults.
type settings map[string]string

// sizeSettings is the config of the stack that declares n services.
func sizeSettings(n int, image string) settings {
	return settings{
		stackconfig.KeyKubeContext:   localContext,
		stackconfig.KeyName:          serviceNamePrefix,
		stackconfig.KeyNamespace:     sizeNamespace(n),
		stackconfig.KeyImage:         image,
		stackconfig.KeyReplicas:      "1",
		stackconfig.KeyCPURequest:    sizeCPURequest,
		stackconfig.KeyCPULimit:      sizeCPULimit,
		stackconfig.KeyMemoryRequest: sizeMemoryRequest,
		stackconfig.KeyMemoryLimit:   sizeMemoryLimit,
	}
}

// sizeNamespace holds the services of one size: a namespace per size, so a
// size never waits for the previous one's namespace to finish terminating.
func sizeNamespace(n int) string { return namespacePrefix + "stacks-" + strconv.Itoa(n) }

// validate loads s as the program will, so a bad value fails before
// anything is created, and holds the bench to its own namespaces.
func (s settings) validate(stack string) (stackconfig.Config, error) {
	cfg, err := stackconfig.Load(stack, stackconfig.MapSource{Values: s})
	if err != nil {
		return cfg, err
	}
	return cfg, checkBenchConfig(cfg)
}

// checkBenchConfig is what the inline program needs beyond a valid stack.
func checkBenchConfig(cfg stackconfig.Config) error {
	switch {
	case !strings.HasPrefix(cfg.Namespace, namespacePrefix):
		return fmt.Errorf("namespace %q: the bench creates only namespaces starting with %q", cfg.Namespace, namespacePrefix)
	case !cfg.CreateNamespace:
		return errors.New("the bench declares its own namespace: createNamespace must be true")
	case cfg.Image.Build():
		return errors.New("the bench deploys an existing image (the pulumi-docker plugin is not available): set image")
	}
	return nil
}

// configMap is s as the Automation API sets it on a stack.
func (s settings) configMap() map[string]string {
	out := make(map[string]string, len(s))
	for k, v := range s {
		out[stackconfig.Namespace+":"+k] = v
	}
	return out
}

// program is the inline Pulumi program: the stack's config read and
// checked as infra/ reads it, one namespace, and n instances of the
// component in it.
func program(n int) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, err := stackconfig.Load(ctx.Stack(), pulumisource.New(ctx))
		if err != nil {
			return err
		}
		if err := checkBenchConfig(cfg); err != nil {
			return err
		}
		namespace, err := service.Namespace(ctx, cfg.Namespace, cfg.Instance(), cfg.CreateNamespace)
		if err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			_, err := service.New(ctx, serviceName(cfg.Name, i), service.ArgsFor(cfg, namespace, pulumi.String(cfg.Image.Existing)))
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// serviceName is the name of the i-th service, from 1.
func serviceName(prefix string, i int) string { return prefix + "-" + strconv.Itoa(i) }

// resourcesPerService is what one component registers with the
// repository's defaults and one replica: itself, a ConfigMap, a
// ServiceAccount, a Deployment, a Service, the autoscaler that holds its
// replica count and its NetworkPolicy.
const resourcesPerService = 7

// expectedResources is what the program declares for n services: the
// components' resources, the namespace and the stack itself.
func expectedResources(n int) int { return resourcesPerService*n + 2 }
