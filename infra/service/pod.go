package service

import (
	"strconv"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/internal/contract"
)

// containerName is the app container's name, for kubectl logs -c and exec.
const containerName = "app"

// nonRootID is the UID and GID the image declares (distroless' "nonroot").
const nonRootID = 65532

// Probe timing: readiness reacts within a few seconds, liveness only
// restarts a pod that stays unhealthy for half a minute.
const (
	readinessPeriodSeconds = 2
	readinessFailures      = 2
	livenessPeriodSeconds  = 10
	livenessFailures       = 3
	probeTimeoutSeconds    = 2
)

// Ephemeral storage bounds: the root filesystem is read-only, so only logs
// and the kubelet's own files count; a runaway writer is evicted, not the node.
const (
	ephemeralStorageRequest = "16Mi"
	ephemeralStorageLimit   = "64Mi"
)

// Scrape annotations read by the common Prometheus Kubernetes SD configs.
const (
	annotationScrape = "prometheus.io/scrape"
	annotationPort   = "prometheus.io/port"
	annotationPath   = "prometheus.io/path"
)

// annotationPullSecret names the pull secret in the pod template. A
// ServiceAccount's pull secrets reach a pod only when the pod is created, so
// new or rotated credentials (a new, auto-named Secret) must roll the pods.
const annotationPullSecret = "microstack/pull-secret"

func (b builder) podTemplate(env *corev1.ConfigMap, secret *corev1.Secret, account account) *corev1.PodTemplateSpecArgs {
	annotations := pulumi.StringMap{
		annotationScrape: pulumi.String("true"),
		annotationPort:   pulumi.String(strconv.Itoa(b.args.Network.ContainerPort)),
		annotationPath:   pulumi.String(contract.MetricsPath),
	}
	if account.pullSecret != nil {
		annotations[annotationPullSecret] = account.pullSecret.Metadata.Name().Elem()
	}
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Labels:      b.labels.all(),
			Annotations: annotations,
		},
		Spec: &corev1.PodSpecArgs{
			// The app never calls the API server: no token to steal.
			ServiceAccountName:            account.serviceAccount.Metadata.Name().Elem(),
			AutomountServiceAccountToken:  pulumi.Bool(false),
			EnableServiceLinks:            pulumi.Bool(false),
			TerminationGracePeriodSeconds: pulumi.Int(b.args.Lifecycle.TerminationGracePeriodSeconds()),
			SecurityContext:               podSecurityContext(),
			TopologySpreadConstraints:     b.topologySpread(),
			Containers:                    corev1.ContainerArray{b.container(env, secret)},
		},
	}
}

func (b builder) container(env *corev1.ConfigMap, secret *corev1.Secret) corev1.ContainerArgs {
	envFrom := corev1.EnvFromSourceArray{
		corev1.EnvFromSourceArgs{ConfigMapRef: &corev1.ConfigMapEnvSourceArgs{Name: env.Metadata.Name()}},
	}
	if secret != nil {
		envFrom = append(envFrom, corev1.EnvFromSourceArgs{SecretRef: &corev1.SecretEnvSourceArgs{Name: secret.Metadata.Name()}})
	}
	r := b.args.Resources
	return corev1.ContainerArgs{
		Name:  pulumi.String(containerName),
		Image: b.args.Image,
		Ports: corev1.ContainerPortArray{corev1.ContainerPortArgs{
			Name: pulumi.String(portName), ContainerPort: pulumi.Int(b.args.Network.ContainerPort), Protocol: pulumi.String("TCP"),
		}},
		EnvFrom: envFrom,
		Resources: &corev1.ResourceRequirementsArgs{
			Requests: pulumi.StringMap{
				"cpu": pulumi.String(r.CPURequest), "memory": pulumi.String(r.MemoryRequest),
				"ephemeral-storage": pulumi.String(ephemeralStorageRequest),
			},
			Limits: pulumi.StringMap{
				"cpu": pulumi.String(r.CPULimit), "memory": pulumi.String(r.MemoryLimit),
				"ephemeral-storage": pulumi.String(ephemeralStorageLimit),
			},
		},
		ReadinessProbe:  httpProbe(contract.ReadinessPath, readinessPeriodSeconds, readinessFailures),
		LivenessProbe:   httpProbe(contract.LivenessPath, livenessPeriodSeconds, livenessFailures),
		Lifecycle:       b.lifecycle(),
		SecurityContext: containerSecurityContext(),
	}
}

// lifecycle holds the pod back for preStopSeconds before SIGTERM. Pod
// deletion and endpoint removal race: the sleep gives kube-proxy and load
// balancers time to stop sending new connections while the app still
// accepts them. The native sleep action needs no shell in the image.
func (b builder) lifecycle() corev1.LifecyclePtrInput {
	if b.args.Lifecycle.PreStopSeconds == 0 {
		return nil
	}
	return &corev1.LifecycleArgs{
		PreStop: &corev1.LifecycleHandlerArgs{
			Sleep: &corev1.SleepActionArgs{Seconds: pulumi.Int(b.args.Lifecycle.PreStopSeconds)},
		},
	}
}

func httpProbe(path string, periodSeconds, failures int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet:          &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.String(portName)},
		PeriodSeconds:    pulumi.Int(periodSeconds),
		TimeoutSeconds:   pulumi.Int(probeTimeoutSeconds),
		FailureThreshold: pulumi.Int(failures),
	}
}

// podSecurityContext and containerSecurityContext meet the "restricted"
// Pod Security Standard.
func podSecurityContext() *corev1.PodSecurityContextArgs {
	return &corev1.PodSecurityContextArgs{
		RunAsNonRoot:   pulumi.Bool(true),
		RunAsUser:      pulumi.Int(nonRootID),
		RunAsGroup:     pulumi.Int(nonRootID),
		SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

func containerSecurityContext() *corev1.SecurityContextArgs {
	return &corev1.SecurityContextArgs{
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		RunAsNonRoot:             pulumi.Bool(true),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
	}
}

// topologySpread spreads pods over nodes once there is more than one to
// spread. ScheduleAnyway keeps a single-node cluster schedulable.
func (b builder) topologySpread() corev1.TopologySpreadConstraintArray {
	if !b.args.Scaling.Replicated() {
		return nil
	}
	return corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
		MaxSkew:           pulumi.Int(1),
		TopologyKey:       pulumi.String("kubernetes.io/hostname"),
		WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
		LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
	}}
}
