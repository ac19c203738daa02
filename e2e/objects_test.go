package e2e

import (
	"context"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// What Kubernetes puts in every namespace.
const (
	rootCAConfigMap       = "kube-root-ca.crt"
	defaultServiceAccount = "default"
)

// clusterMade reports whether obj, as objectsOf names it, is one that
// Kubernetes itself puts in namespace ns.
func clusterMade(obj, ns string) bool {
	return obj == typeConfigMap+" "+ns+"/"+rootCAConfigMap || obj == typeServiceAccount+" "+ns+"/"+defaultServiceAccount
}

// kind is a kind of object the program declares.
type kind struct {
	resource   schema.GroupVersionResource
	pulumiType string
	namespaced bool
}

func programKinds() []kind {
	core := func(r string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Version: "v1", Resource: r}
	}
	return []kind{
		{core("namespaces"), typeNamespace, false},
		{core("configmaps"), typeConfigMap, true},
		{core("secrets"), typeSecret, true},
		{core("services"), typeService, true},
		{core("serviceaccounts"), typeServiceAccount, true},
		{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, typeDeployment, true},
		{schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}, typeHPA, true},
		{schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}, typePDB, true},
		{schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}, typeNetPolicy, true},
		{schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}, typeIngress, true},
	}
}

// objectsOf lists the objects of the program's kinds in ns (every
// namespace, and the namespaces themselves, for metav1.NamespaceAll), each
// as "PULUMI-TYPE ID", the ID as Pulumi records it: NAMESPACE/NAME, or NAME.
func (e *env) objectsOf(ctx context.Context, t *testing.T, ns string) []string {
	t.Helper()
	return e.objectsWhere(ctx, t, ns, func(map[string]string) bool { return true })
}

// objectsWhere is objectsOf, keeping the objects whose labels keep accepts.
func (e *env) objectsWhere(ctx context.Context, t *testing.T, ns string, keep func(labels map[string]string) bool) []string {
	t.Helper()
	var out []string
	for _, k := range programKinds() {
		if !k.namespaced && ns != metav1.NamespaceAll {
			continue
		}
		list, err := e.dynamic.Resource(k.resource).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("listing %s: %v", k.resource.Resource, err)
		}
		for _, o := range list.Items {
			if !keep(o.GetLabels()) {
				continue
			}
			id := o.GetName()
			if o.GetNamespace() != "" {
				id = o.GetNamespace() + "/" + id
			}
			out = append(out, k.pulumiType+" "+id)
		}
	}
	slices.Sort(out)
	return out
}
