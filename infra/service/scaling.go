package service

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// autoscaler scales the Deployment on CPU, and on memory when a target is set.
func (b builder) autoscaler(target *appsv1.Deployment) error {
	s := b.args.Scaling
	if !s.Autoscaling {
		return nil
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
			MinReplicas: pulumi.Int(s.MinReplicas),
			MaxReplicas: pulumi.Int(s.MaxReplicas),
			Metrics:     metrics,
		},
	}, b.parent)
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
	if b.args.Scaling.MinAvailableReplicas() <= 1 {
		return nil
	}
	_, err := policyv1.NewPodDisruptionBudget(b.ctx, b.name, &policyv1.PodDisruptionBudgetArgs{
		Metadata: b.namedMetadata(),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
		},
	}, b.parent)
	return err
}
