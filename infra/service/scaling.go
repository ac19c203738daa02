package service

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// autoscaler owns the Deployment's replica count in every stack: between
// minReplicas and maxReplicas on CPU (and memory, when a target is set), or
// pinned at replicas, as min and max both, when autoscaling is off.
//
// The Deployment never sets spec.replicas, so the count has one owner in
// every mode. Were the program to own it without an autoscaler, switching
// autoscaling on would drop the field from Pulumi's apply, and Kubernetes
// would reset it to 1, killing pods, until the autoscaler acted; switching
// back would leave the autoscaler's count owned by kube-controller-manager.
// With one autoscaler throughout, a switch only moves its bounds.
func (b builder) autoscaler(target *appsv1.Deployment) error {
	s := b.args.Scaling
	min, max := s.MinReplicas, s.MaxReplicas
	if !s.Autoscaling {
		min, max = s.Replicas, s.Replicas
	}
	metrics := autoscalingv2.MetricSpecArray{utilization("cpu", s.CPUUtilization)}
	if s.MemoryUtilization > 0 {
		metrics = append(metrics, utilization("memory", s.MemoryUtilization))
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(b.ctx, b.name, &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: b.namedMetadata(),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"),
				Kind:       pulumi.String("Deployment"),
				Name:       target.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(min),
			MaxReplicas: pulumi.Int(max),
			Metrics:     metrics,
		},
	}, b.owned()...)
	return err
}

func utilization(resource string, percent int) autoscalingv2.MetricSpecArgs {
	return autoscalingv2.MetricSpecArgs{
		Type: pulumi.String("Resource"),
		Resource: &autoscalingv2.ResourceMetricSourceArgs{
			Name: pulumi.String(resource),
			Target: &autoscalingv2.MetricTargetArgs{
				Type:               pulumi.String("Utilization"),
				AverageUtilization: pulumi.Int(percent),
			},
		},
	}
}

// disruptionBudget lets voluntary evictions (node drains, upgrades) take
// one pod at a time, and only when the stack runs more than one.
func (b builder) disruptionBudget() error {
	if !b.args.Scaling.Replicated() {
		return nil
	}
	_, err := policyv1.NewPodDisruptionBudget(b.ctx, b.name, &policyv1.PodDisruptionBudgetArgs{
		Metadata: b.namedMetadata(),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
		},
	}, b.owned()...)
	return err
}
