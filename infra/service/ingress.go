package service

import (
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// clusterIssuerAnnotation asks cert-manager's ingress-shim to issue the
// certificate of the Ingress' TLS hosts into its secretName.
const clusterIssuerAnnotation = "cert-manager.io/cluster-issuer"

// ingress routes Host and Path to the Service's named port, over HTTPS too
// when the stack names a certificate. It is not awaited: the controller
// serves it as soon as it sees it, the Deployment's await already proves
// the backends Ready, and a controller that never publishes a load
// balancer address (many do not) would hold `pulumi up` for ten minutes.
func (b builder) ingress() error {
	in := b.args.Ingress
	if !in.Enabled() {
		return nil
	}
	meta := b.namedMetadata()
	annotations := ownedAnnotations()
	annotations[skipAwaitAnnotation] = pulumi.String("true")
	if in.ClusterIssuer != "" {
		annotations[clusterIssuerAnnotation] = pulumi.String(in.ClusterIssuer)
	}
	meta.Annotations = annotations
	spec := &networkingv1.IngressSpecArgs{
		Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
			Host: pulumi.String(in.Host),
			Http: &networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{
				networkingv1.HTTPIngressPathArgs{
					Path:     pulumi.String(in.Path),
					PathType: pulumi.String("Prefix"),
					Backend: &networkingv1.IngressBackendArgs{Service: &networkingv1.IngressServiceBackendArgs{
						Name: pulumi.String(b.name),
						Port: &networkingv1.ServiceBackendPortArgs{Name: pulumi.String(portName)},
					}},
				},
			}},
		}},
	}
	if in.ClassName != "" {
		spec.IngressClassName = pulumi.String(in.ClassName)
	}
	if in.TLS() {
		spec.Tls = networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{
			Hosts:      pulumi.StringArray{pulumi.String(in.Host)},
			SecretName: pulumi.String(in.SecretName(b.name)),
		}}
	}
	_, err := networkingv1.NewIngress(b.ctx, b.name, &networkingv1.IngressArgs{Metadata: meta, Spec: spec}, b.owned()...)
	return err
}
