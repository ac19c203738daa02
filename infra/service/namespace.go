package service

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Pod Security admission labels: the namespace refuses any pod that does
// not meet the "restricted" standard, so the cluster itself checks ours.
const (
	labelPodSecurityEnforce = "pod-security.kubernetes.io/enforce"
	labelPodSecurityVersion = "pod-security.kubernetes.io/enforce-version"
	podSecurityRestricted   = "restricted"
	podSecurityLatest       = "latest"
)

// Namespace returns the namespace to declare services in: a new one,
// enforcing the restricted Pod Security Standard, when create is true,
// otherwise the existing one by name. instance marks it as the stack's own
// (app.kubernetes.io/instance), which is how a later run tells it from a
// namespace it must not take over.
func Namespace(ctx *pulumi.Context, name, instance string, create bool, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if !create {
		return pulumi.String(name).ToStringOutput(), nil
	}
	ns, err := corev1.NewNamespace(ctx, name, &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(name),
			Labels: pulumi.StringMap{
				labelPodSecurityEnforce: pulumi.String(podSecurityRestricted),
				labelPodSecurityVersion: pulumi.String(podSecurityLatest),
				labelManagedBy:          pulumi.String(managedBy),
				labelInstance:           pulumi.String(instance),
			},
			Annotations: ownedAnnotations(),
		},
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return ns.Metadata.Name().Elem(), nil
}
