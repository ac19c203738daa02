package stackconfig

import (
	"fmt"
	"strconv"

	"github.com/microstack/microstack/internal/contract"
)

// Config is everything one stack declares, typed and validated.
type Config struct {
	// Stack is the Pulumi stack name (dev, staging, prod, ...).
	Stack string
	// Cluster names the one cluster the stack deploys to.
	Cluster Cluster
	// Protect guards the stack's objects against `pulumi destroy` and
	// against replacement (Pulumi's protect option).
	Protect bool
	// Name is the app's name: the prefix of every Kubernetes object and the
	// app.kubernetes.io/name label.
	Name string
	// Namespace is where the stack's objects live.
	Namespace string
	// CreateNamespace declares the namespace when true; otherwise it must exist.
	CreateNamespace bool
	// App holds the settings handed to the service through its environment.
	App       App
	Image     Image
	Scaling   Scaling
	Resources Resources
	Network   Network
	Lifecycle Lifecycle
	// Ingress, when it has a host, exposes the Service outside the cluster.
	Ingress       Ingress
	NetworkPolicy NetworkPolicy
	Monitoring    Monitoring
	// SecretEnv is extra environment for the container that must stay secret:
	// it goes into a Kubernetes Secret, never into the ConfigMap.
	SecretEnv map[string]string
}

// Cluster is where a stack deploys: a context of a kubeconfig. The stack
// must name it, so that no stack ever follows the ambient current context.
type Cluster struct {
	// Context is the kubeconfig context of the stack's cluster.
	Context string
	// Kubeconfig, when set, is the kubeconfig itself (only ever set from a
	// secret config value); otherwise $KUBECONFIG or ~/.kube/config is read.
	Kubeconfig string
}

// App is the service's own configuration.
type App struct {
	Message  string
	LogLevel string
}

// Image says which image runs: an existing reference, or one built from the
// repository's Dockerfile and pushed to Repository.
type Image struct {
	// Existing, when set, is deployed as is (it must be pinned by digest) and
	// nothing is built.
	Existing     string
	Repository   string
	Tag          string
	BuilderImage string
	RuntimeImage string
	// Version and Commit stamp a built image (the Dockerfile's VERSION and
	// COMMIT, which /version answers with); empty means read from the
	// checkout's git history.
	Version  string
	Commit   string
	Registry Registry
}

// Build reports whether the program builds and pushes the image.
func (i Image) Build() bool { return i.Existing == "" }

// CacheTagSuffix ends the tag of the image that carries a built image's
// layer cache. The cache travels in an image of its own because BuildKit
// writes its metadata into the image config, where it differs from one
// build of the same source to the next: the image deployed, kept free of
// it, has the same digest for the same source.
const CacheTagSuffix = "-buildcache"

// maxTagLength is the registries' limit on a tag, the cache's included.
const maxTagLength = 128

// Name is the REPOSITORY:TAG a built image is pushed as.
func (i Image) Name() string { return i.Repository + ":" + i.Tag }

// CacheName is the REPOSITORY:TAG of the image carrying Name's layer cache.
func (i Image) CacheName() string { return i.Name() + CacheTagSuffix }

// Host is the registry the pods pull from: that of the existing image, or
// of the repository the program pushes to ("" for Docker Hub).
func (i Image) Host() string {
	if i.Build() {
		return registryHost(i.Repository)
	}
	return registryHost(i.Existing)
}

// PullCredentials reports whether the pods need credentials to pull.
func (i Image) PullCredentials() bool { return i.Registry.Username != "" }

// Registry holds the push credentials; Password is only ever set from a
// secret config value.
type Registry struct {
	Server   string
	Username string
	Password string
}

// Scaling is either a fixed replica count or a HorizontalPodAutoscaler.
type Scaling struct {
	Replicas    int
	Autoscaling bool
	MinReplicas int
	MaxReplicas int
	// CPUUtilization is the HPA's average CPU target, in percent of requests.
	CPUUtilization int
	// MemoryUtilization is the HPA's memory target in percent; 0 leaves memory out.
	MemoryUtilization int
}

// MinAvailableReplicas is the fewest pods the stack runs in steady state:
// what decides whether a PodDisruptionBudget and topology spread make sense.
func (s Scaling) MinAvailableReplicas() int {
	if s.Autoscaling {
		return s.MinReplicas
	}
	return s.Replicas
}

// Replicated reports whether the stack runs more than one pod at its
// fewest: what gives it a PodDisruptionBudget and topology spread.
func (s Scaling) Replicated() bool { return s.MinAvailableReplicas() > 1 }

// Resources are the container's requests and limits, as Kubernetes quantities.
type Resources struct {
	CPURequest    string
	CPULimit      string
	MemoryRequest string
	MemoryLimit   string
}

// Network is where the container listens and how the Service exposes it.
type Network struct {
	ContainerPort int
	ServiceType   string
	ServicePort   int
}

// Lifecycle times a pod's exit so that no request is dropped: the preStop
// sleep lets the endpoints controller take the pod out of the Service, the
// app then drains and finally shuts down.
type Lifecycle struct {
	PreStopSeconds         int
	DrainSeconds           int
	ShutdownTimeoutSeconds int
	// RolloutTimeoutSeconds bounds a rollout: the Deployment's progress
	// deadline, and Pulumi's wait for it, so a release that never gets
	// Ready fails `pulumi up` instead of hanging it.
	RolloutTimeoutSeconds int
}

// terminationSlackSeconds covers process exit and the kubelet's own work
// after the app's shutdown bound.
const terminationSlackSeconds = 5

// TerminationGracePeriodSeconds outlasts the whole exit sequence, so the
// kubelet never SIGKILLs a pod that is still draining.
func (l Lifecycle) TerminationGracePeriodSeconds() int {
	return l.PreStopSeconds + l.DrainSeconds + l.ShutdownTimeoutSeconds + terminationSlackSeconds
}

// Service types a stack may choose.
const (
	ServiceTypeClusterIP    = "ClusterIP"
	ServiceTypeNodePort     = "NodePort"
	ServiceTypeLoadBalancer = "LoadBalancer"
)

// Defaults returns the value every key takes when the stack leaves it out.
// Pulumi.yaml declares the same defaults; a test keeps the two in step.
func Defaults() Config {
	return Config{
		Name:            "microstack",
		CreateNamespace: true,
		App:             App{Message: contract.DefaultMessage, LogLevel: contract.DefaultLogLevel},
		Scaling: Scaling{
			Replicas: 1, MinReplicas: 1, MaxReplicas: 3, CPUUtilization: 70,
		},
		Resources: Resources{
			CPURequest: "50m", CPULimit: "500m", MemoryRequest: "32Mi", MemoryLimit: "64Mi",
		},
		Network:   Network{ContainerPort: contract.DefaultPort, ServiceType: ServiceTypeClusterIP, ServicePort: 80},
		Lifecycle: Lifecycle{PreStopSeconds: 5, DrainSeconds: 3, ShutdownTimeoutSeconds: 10, RolloutTimeoutSeconds: 300},
		Ingress:   Ingress{Path: "/"},
		NetworkPolicy: NetworkPolicy{
			IngressControllerNamespace: "traefik", MonitoringNamespace: "monitoring",
			AllowFromNamespaces: []string{}, AllowEgressTo: []string{},
		},
		Monitoring: Monitoring{
			Labels: map[string]string{},
			Alerts: Alerts{ErrorRatio: 0.05, LatencySeconds: 0.5, Window: "5m", For: "5m"},
		},
		SecretEnv: map[string]string{},
	}
}

// Instance is the app.kubernetes.io/instance label of every object of the
// stack: the app's name and the stack's. It tells the stack's objects from
// any other's, so it is also what marks an object as the stack's own.
func (c Config) Instance() string { return InstanceLabel(c.Name, c.Stack) }

// InstanceLabel is the app.kubernetes.io/instance label of app name in stack.
func InstanceLabel(name, stack string) string { return name + "-" + stack }

// AppEnv is the service's environment, the contents of its ConfigMap.
func (c Config) AppEnv() map[string]string {
	return map[string]string{
		contract.EnvPort:            strconv.Itoa(c.Network.ContainerPort),
		contract.EnvMessage:         c.App.Message,
		contract.EnvLogLevel:        c.App.LogLevel,
		contract.EnvDrainDelay:      strconv.Itoa(c.Lifecycle.DrainSeconds) + "s",
		contract.EnvShutdownTimeout: strconv.Itoa(c.Lifecycle.ShutdownTimeoutSeconds) + "s",
	}
}

// Ignored lists the settings the stack sets that another setting
// overrides, to be shown as warnings. A stack file that builds its image
// may be deployed with `image` pinned over it (the local and CI flows do, a
// hotfix may): that is deliberate, so the build settings are not refused,
// only named.
func (c Config) Ignored() []string {
	if c.Image.Build() {
		return nil
	}
	var ignored []string
	for _, k := range []struct{ key, value string }{
		{KeyImageRepository, c.Image.Repository},
		{KeyBuilderImage, c.Image.BuilderImage},
		{KeyRuntimeImage, c.Image.RuntimeImage},
		{KeyImageVersion, c.Image.Version},
		{KeyImageCommit, c.Image.Commit},
	} {
		if k.value != "" {
			ignored = append(ignored, fmt.Sprintf("%s has no effect while %s is set: nothing is built", FullKey(k.key), FullKey(KeyImage)))
		}
	}
	return ignored
}
