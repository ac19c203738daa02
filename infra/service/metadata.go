package service

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// namedMetadata gives an object the service's own name, so the Service's
// DNS name and the autoscaler's target are predictable.
func (b builder) namedMetadata() *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name:      pulumi.String(b.name),
		Namespace: b.args.Namespace,
		Labels:    b.labels.all(),
	}
}

// autoNamedMetadata leaves the name to Pulumi, which appends a random
// suffix and replaces the object, under a new name, whenever its data changes.
func (b builder) autoNamedMetadata() *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Namespace: b.args.Namespace,
		Labels:    b.labels.all(),
	}
}
