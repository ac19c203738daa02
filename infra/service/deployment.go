package service

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// revisionHistoryLimit keeps a few old ReplicaSets for `kubectl rollout
// history`. Rolling back is Pulumi's job (the previous config or commit,
// then `pulumi up`): a `kubectl rollout undo` across a config change would
// point the pods at a ConfigMap Pulumi has already deleted.
const revisionHistoryLimit = 3

// awaitSlackSeconds lets the Deployment's progress deadline pass before
// Pulumi stops waiting, so the error reports ProgressDeadlineExceeded with
// the pods' reasons.
const awaitSlackSeconds = 15

// deployment runs the pods. Pulumi waits for its rollout, at most the
// stack's rollout timeout: `pulumi up` returns once the new pods are Ready,
// or fails naming why they are not, while the old pods keep serving.
func (b builder) deployment(env *corev1.ConfigMap, secret *corev1.Secret, account account) (*appsv1.Deployment, error) {
	rollout := b.args.Lifecycle.RolloutTimeoutSeconds
	spec := &appsv1.DeploymentSpecArgs{
		Selector:                &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
		RevisionHistoryLimit:    pulumi.Int(revisionHistoryLimit),
		ProgressDeadlineSeconds: pulumi.Int(rollout),
		Strategy: &appsv1.DeploymentStrategyArgs{
			Type: pulumi.String("RollingUpdate"),
			// A new pod must be Ready before an old one goes: capacity never
			// dips, and a release that never gets Ready harms nothing.
			RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
				MaxUnavailable: pulumi.Int(0),
				MaxSurge:       pulumi.Int(1),
			},
		},
		// No Replicas: the autoscaler owns the count (see autoscaler).
		Template: b.podTemplate(env, secret, account),
	}
	wait := fmt.Sprintf("%ds", rollout+awaitSlackSeconds)
	return appsv1.NewDeployment(b.ctx, b.name, &appsv1.DeploymentArgs{
		Metadata: b.namedMetadata(),
		Spec:     spec,
	}, append(b.owned(), pulumi.Timeouts(&pulumi.CustomTimeouts{Create: wait, Update: wait}))...)
}
