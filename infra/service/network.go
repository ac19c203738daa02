package service

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// service exposes the pods on the named port.
func (b builder) service() (*corev1.Service, error) {
	n := b.args.Network
	return corev1.NewService(b.ctx, b.name, &corev1.ServiceArgs{
		Metadata: b.namedMetadata(),
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
	}, b.parent)
}
