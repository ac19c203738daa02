package service

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// namespaceNameLabel is the label the API server sets on every namespace
// to its own name: what a policy can select a namespace by.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// dnsPort is where the pods may always send, to resolve names.
const dnsPort = 53

// networkPolicy admits traffic to the app's port from the stack's own
// namespace and the namespaces the stack names (ingress controller,
// Prometheus, further callers) and nothing else, and lets the pods send
// only to DNS and the CIDRs the stack names. DNS is allowed to any
// address: the resolver may be a node-local cache or the cluster's
// Service IP, which policies cannot name reliably.
func (b builder) networkPolicy() error {
	np := b.args.NetworkPolicy
	from := networkingv1.NetworkPolicyPeerArray{
		networkingv1.NetworkPolicyPeerArgs{PodSelector: &metav1.LabelSelectorArgs{}},
	}
	for _, ns := range np.Namespaces() {
		from = append(from, networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{
				MatchLabels: pulumi.StringMap{namespaceNameLabel: pulumi.String(ns)},
			},
		})
	}
	egress := networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
		Ports: networkingv1.NetworkPolicyPortArray{policyPort("UDP", dnsPort), policyPort("TCP", dnsPort)},
	}}
	if len(np.AllowEgressTo) > 0 {
		to := networkingv1.NetworkPolicyPeerArray{}
		for _, cidr := range np.AllowEgressTo {
			to = append(to, networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(cidr)}})
		}
		egress = append(egress, networkingv1.NetworkPolicyEgressRuleArgs{To: to})
	}
	_, err := networkingv1.NewNetworkPolicy(b.ctx, b.name, &networkingv1.NetworkPolicyArgs{
		Metadata: b.namedMetadata(),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: b.labels.selector()},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress"), pulumi.String("Egress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From:  from,
				Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", b.args.Network.ContainerPort)},
			}},
			Egress: egress,
		},
	}, b.owned()...)
	return err
}

func policyPort(protocol string, port int) networkingv1.NetworkPolicyPortArgs {
	return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(port)}
}
