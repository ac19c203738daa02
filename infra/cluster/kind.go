package cluster

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Kind is a kind of object a stack creates under a fixed name.
type Kind string

// The kinds the preflight checks read.
const (
	KindDeployment              Kind = "Deployment"
	KindService                 Kind = "Service"
	KindServiceAccount          Kind = "ServiceAccount"
	KindHorizontalPodAutoscaler Kind = "HorizontalPodAutoscaler"
	KindPodDisruptionBudget     Kind = "PodDisruptionBudget"
	KindIngress                 Kind = "Ingress"
	KindNetworkPolicy           Kind = "NetworkPolicy"
)

// kubectl is the kind's resource name on kubectl's command line.
func (k Kind) kubectl() string {
	switch k {
	case KindHorizontalPodAutoscaler:
		return "hpa"
	case KindPodDisruptionBudget:
		return "pdb"
	case KindServiceAccount:
		return "serviceaccount"
	case KindNetworkPolicy:
		return "networkpolicy"
	}
	return string(k)
}

// get reads the object's metadata.
func (k Kind) get(ctx context.Context, kube kubernetes.Interface, ns, name string) (metav1.Object, error) {
	opts := metav1.GetOptions{}
	switch k {
	case KindDeployment:
		return kube.AppsV1().Deployments(ns).Get(ctx, name, opts)
	case KindService:
		return kube.CoreV1().Services(ns).Get(ctx, name, opts)
	case KindServiceAccount:
		return kube.CoreV1().ServiceAccounts(ns).Get(ctx, name, opts)
	case KindHorizontalPodAutoscaler:
		return kube.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, name, opts)
	case KindPodDisruptionBudget:
		return kube.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, opts)
	case KindIngress:
		return kube.NetworkingV1().Ingresses(ns).Get(ctx, name, opts)
	case KindNetworkPolicy:
		return kube.NetworkingV1().NetworkPolicies(ns).Get(ctx, name, opts)
	}
	panic("cluster: unknown kind " + string(k))
}
