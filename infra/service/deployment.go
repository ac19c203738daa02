package service

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// revisionHistoryLimit keeps enough ReplicaSets to roll back a few releases.
const revisionHistoryLimit = 5

// deployment runs the pods. Pulumi waits for its rollout to finish, so
// `pulumi up` returns only once the new pods are Ready.
func (b builder) deployment(env *corev1.ConfigMap, secret *corev1.Secret) (*appsv1.Deployment, error) {
	spec := &appsv1.DeploymentSpecArgs{
		Selector:             &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
		RevisionHistoryLimit: pulumi.Int(revisionHistoryLimit),
		Strategy: &appsv1.DeploymentStrategyArgs{
			Type: pulumi.String("RollingUpdate"),
			// A new pod must be Ready before an old one goes: capacity never dips.
			RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
				MaxUnavailable: pulumi.Int(0),
				MaxSurge:       pulumi.Int(1),
			},
		},
		Template: b.podTemplate(env, secret),
	}
	// With an autoscaler the Deployment must not own spec.replicas: under
	// server-side apply Pulumi would claim the field and reset the scale the
	// HPA chose on every `pulumi up`.
	if !b.args.Scaling.Autoscaling {
		spec.Replicas = pulumi.Int(b.args.Scaling.Replicas)
	}
	return appsv1.NewDeployment(b.ctx, b.name, &appsv1.DeploymentArgs{
		Metadata: b.namedMetadata(),
		Spec:     spec,
	}, b.parent)
}
