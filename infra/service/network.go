package service

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// skipAwaitAnnotation stops pulumi-kubernetes from judging the Service by
// its endpoints. The Deployment's await already proves its pods Ready; judged
// by its endpoints, the Service reads as unhealthy on any refresh that meets
// a pod still starting (an autoscaler's scale-up, a rollout), and the next
// preview proposes to update it: a false drift alarm.
const skipAwaitAnnotation = "pulumi.com/skipAwait"

// service exposes the pods on the named port.
func (b builder) service() (*corev1.Service, error) {
	n := b.args.Network
	meta := b.namedMetadata()
	annotations := ownedAnnotations()
	annotations[skipAwaitAnnotation] = pulumi.String("true")
	meta.Annotations = annotations
	return corev1.NewService(b.ctx, b.name, &corev1.ServiceArgs{
		Metadata: meta,
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String(n.ServiceType),
			Selector: b.labels.selector(),
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name:       pulumi.String(portName),
				Port:       pulumi.Int(n.ServicePort),
				TargetPort: pulumi.String(portName),
				Protocol:   pulumi.String("TCP"),
			}},
		},
	}, b.owned()...)
}
