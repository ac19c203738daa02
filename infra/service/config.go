package service

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// configMap holds the app's plain settings.
//
// It is auto-named rather than annotated with a checksum: a data change
// makes Pulumi create a new ConfigMap under a new name, the pod template
// points at that name, so the Deployment rolls out; the old ConfigMap is
// deleted only after the rollout succeeded, so the old pods, which keep
// serving while a release is tried, never lose their configuration. A
// checksum annotation would roll the pods too, but would edit the one
// ConfigMap in place under them. Once deleted, an old ConfigMap is gone:
// the way back to an earlier release is its config and `pulumi up`.
func (b builder) configMap() (*corev1.ConfigMap, error) {
	return corev1.NewConfigMap(b.ctx, b.name+"-config", &corev1.ConfigMapArgs{
		Metadata: b.autoNamedMetadata(),
		Data:     pulumi.ToStringMap(b.args.Env),
	}, b.parent)
}

// secret holds the settings marked secret, or is absent when there are none.
// It is auto-named for the same reason as the ConfigMap.
func (b builder) secret() (*corev1.Secret, error) {
	if len(b.args.SecretEnv) == 0 {
		return nil, nil
	}
	data := pulumi.StringMap{}
	for k, v := range b.args.SecretEnv {
		data[k] = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
	}
	return corev1.NewSecret(b.ctx, b.name+"-secret", &corev1.SecretArgs{
		Metadata:   b.autoNamedMetadata(),
		Type:       pulumi.String("Opaque"),
		StringData: data,
	}, b.parent)
}
