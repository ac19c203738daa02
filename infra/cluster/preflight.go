package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/microstack/microstack/infra/stackconfig"
)

// InstanceLabel marks every object of a stack, the namespace included; an
// existing object is the stack's own only when it carries the stack's value.
const InstanceLabel = "app.kubernetes.io/instance"

// Plan is what a stack is about to declare, as far as the checks need it.
type Plan struct {
	Namespace       string
	CreateNamespace bool
	// Instance is the stack's value of InstanceLabel.
	Instance string
	// Objects are the fixed-name objects the stack creates in Namespace.
	Objects []Object
	// Requests are one pod's resource requests, by config key.
	Requests map[string]Request
	// APIs are the kinds beyond the built-in ones that the stack declares
	// objects of (custom resources), each with the config key that asks
	// for it.
	APIs []API
}

// API is a custom resource kind a setting needs the cluster to serve.
type API struct {
	Key          string
	GroupVersion string
	Kind         string
	// Provider names what installs the kind, for the fix.
	Provider string
}

// Object is one fixed-name object of the stack.
type Object struct {
	Kind Kind
	Name string
}

// Request is one resource request of a pod: the config key that sets it,
// the resource and the quantity.
type Request struct {
	Resource corev1.ResourceName
	Quantity string
}

// Preflight checks plan against the live cluster and returns every problem
// as a FieldError, or nil; any other error means the cluster could not be
// asked. It changes nothing.
func Preflight(ctx context.Context, kube kubernetes.Interface, plan Plan) error {
	exists, err := checkNamespace(ctx, kube, plan)
	if err != nil {
		return err
	}
	var problems []error
	if exists.problem != nil {
		problems = append(problems, exists.problem)
	}
	if exists.found {
		objectProblems, err := checkObjects(ctx, kube, plan)
		if err != nil {
			return err
		}
		problems = append(problems, objectProblems...)
	}
	fitProblems, err := checkFit(ctx, kube, plan)
	if err != nil {
		return err
	}
	apiProblems, err := checkAPIs(kube, plan)
	if err != nil {
		return err
	}
	return stackconfig.Join(append(append(problems, fitProblems...), apiProblems...)...)
}

// checkAPIs refuses objects of a kind the cluster does not serve: the API
// server would refuse them in the middle of `pulumi up`, after the rest of
// the stack has changed.
func checkAPIs(kube kubernetes.Interface, plan Plan) ([]error, error) {
	var problems []error
	for _, api := range plan.APIs {
		served, err := servesKind(kube, api.GroupVersion, api.Kind)
		if err != nil {
			return nil, err
		}
		if !served {
			problems = append(problems, &stackconfig.FieldError{Key: api.Key,
				Problem: fmt.Sprintf("the cluster does not serve %s %s", api.GroupVersion, api.Kind),
				Fix:     fmt.Sprintf("install %s first, or pulumi config set %s false", api.Provider, api.Key)})
		}
	}
	return problems, nil
}

func servesKind(kube kubernetes.Interface, groupVersion, kind string) (bool, error) {
	list, err := kube.Discovery().ServerResourcesForGroupVersion(groupVersion)
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("asking the cluster for %s: %w", groupVersion, err)
	}
	for _, r := range list.APIResources {
		if r.Kind == kind {
			return true, nil
		}
	}
	return false, nil
}

type namespaceState struct {
	found   bool
	problem error
}

// checkNamespace refuses a namespace the stack would adopt (it exists and
// is not the stack's), one it needs but that does not exist, and one it
// created but would now drop, which Pulumi would delete with all it holds.
func checkNamespace(ctx context.Context, kube kubernetes.Interface, plan Plan) (namespaceState, error) {
	ns, err := kube.CoreV1().Namespaces().Get(ctx, plan.Namespace, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if plan.CreateNamespace {
			return namespaceState{}, nil
		}
		return namespaceState{problem: &stackconfig.FieldError{Key: stackconfig.KeyNamespace,
			Problem: fmt.Sprintf("namespace %q does not exist, and createNamespace is false", plan.Namespace),
			Fix:     fmt.Sprintf("kubectl create namespace %s, or pulumi config set createNamespace true", plan.Namespace)}}, nil
	case apierrors.IsForbidden(err) && !plan.CreateNamespace:
		// A deployer confined to its namespace may not read namespaces.
		return namespaceState{found: true}, nil
	case err != nil:
		return namespaceState{}, fmt.Errorf("reading namespace %s: %w", plan.Namespace, err)
	}
	owner := ns.Labels[InstanceLabel]
	switch {
	case plan.CreateNamespace && owner != plan.Instance:
		return namespaceState{found: true, problem: &stackconfig.FieldError{Key: stackconfig.KeyNamespace,
			Problem: fmt.Sprintf("namespace %q already exists and is not this stack's (%s=%q): "+
				"creating it would take it over, and destroy would delete it with all it holds", plan.Namespace, InstanceLabel, owner),
			Fix: fmt.Sprintf("pulumi config set createNamespace false to deploy into it, or choose another namespace; "+
				"to hand it to this stack deliberately: kubectl label namespace %s %s=%s", plan.Namespace, InstanceLabel, plan.Instance)}}, nil
	case !plan.CreateNamespace && owner == plan.Instance:
		return namespaceState{found: true, problem: &stackconfig.FieldError{Key: stackconfig.KeyCreateNamespace,
			Problem: fmt.Sprintf("namespace %q was created by this stack: with createNamespace false, pulumi up would delete it "+
				"and everything in it", plan.Namespace),
			Fix: "pulumi config set createNamespace true"}}, nil
	}
	return namespaceState{found: true}, nil
}

// checkObjects refuses to create an object that exists and is not the
// stack's: server-side apply would adopt it, and destroy would delete it.
func checkObjects(ctx context.Context, kube kubernetes.Interface, plan Plan) ([]error, error) {
	var problems []error
	for _, o := range plan.Objects {
		meta, err := o.Kind.get(ctx, kube, plan.Namespace, o.Name)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading %s %s/%s: %w", o.Kind, plan.Namespace, o.Name, err)
		}
		if owner := meta.GetLabels()[InstanceLabel]; owner != plan.Instance {
			problems = append(problems, &stackconfig.FieldError{Key: stackconfig.KeyName,
				Problem: fmt.Sprintf("%s %s/%s already exists and is not this stack's (%s=%q)", o.Kind, plan.Namespace, o.Name, InstanceLabel, owner),
				Fix: fmt.Sprintf("pulumi config set name <another name>, or another namespace; to hand it to this stack deliberately: "+
					"kubectl label %s %s -n %s %s=%s", o.Kind.kubectl(), o.Name, plan.Namespace, InstanceLabel, plan.Instance)})
		}
	}
	return problems, nil
}

// checkFit refuses requests that no node of the cluster could ever hold:
// the pod would stay Pending. A deployer that may not list nodes is not
// refused for it.
func checkFit(ctx context.Context, kube kubernetes.Interface, plan Plan) ([]error, error) {
	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsForbidden(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("listing nodes: %w", err)
	case len(nodes.Items) == 0:
		return nil, nil
	}
	var problems []error
	for key, req := range plan.Requests {
		want, err := resource.ParseQuantity(req.Quantity)
		if err != nil {
			continue // reported by the config's own validation
		}
		largest := largestAllocatable(nodes.Items, req.Resource)
		if want.Cmp(largest) > 0 {
			problems = append(problems, &stackconfig.FieldError{Key: key,
				Problem: fmt.Sprintf("%s is more %s than any node offers (the largest has %s allocatable): no pod could be scheduled",
					req.Quantity, req.Resource, largest.String()),
				Fix: fmt.Sprintf("pulumi config set %s %s or less", key, largest.String())})
		}
	}
	return problems, nil
}

func largestAllocatable(nodes []corev1.Node, name corev1.ResourceName) resource.Quantity {
	var largest resource.Quantity
	for _, n := range nodes {
		if q, ok := n.Status.Allocatable[name]; ok && q.Cmp(largest) > 0 {
			largest = q
		}
	}
	return largest
}
