package service

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// patchForceAnnotation makes every server-side apply of the program force
// its values. The program owns the fields it sets: when a hand edit
// (kubectl scale, label, patch, rollout undo) has taken one over, the next
// `pulumi up --refresh` takes it back instead of failing on a field-manager
// conflict, with no environment variable for the operator to remember.
// Fields the program does not set stay whoever's they are.
const patchForceAnnotation = "pulumi.com/patchForce"

// namedMetadata gives an object the service's own name, so the Service's
// DNS name and the autoscaler's target are predictable.
func (b builder) namedMetadata() *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Name:        pulumi.String(b.name),
		Namespace:   b.args.Namespace,
		Labels:      b.labels.all(),
		Annotations: ownedAnnotations(),
	}
}

// autoNamedMetadata leaves the name to Pulumi, which appends a random
// suffix and replaces the object, under a new name, whenever its data changes.
func (b builder) autoNamedMetadata() *metav1.ObjectMetaArgs {
	return &metav1.ObjectMetaArgs{
		Namespace:   b.args.Namespace,
		Labels:      b.labels.all(),
		Annotations: ownedAnnotations(),
	}
}

// ownedAnnotations are the annotations of every object the program owns.
func ownedAnnotations() pulumi.StringMap {
	return pulumi.StringMap{patchForceAnnotation: pulumi.String("true")}
}
