package cluster

import (
	"context"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/microstack/microstack/infra/stackconfig"
)

const (
	testNamespace = "shop-dev"
	testInstance  = "shop-dev"
)

func plan(create bool) Plan {
	return Plan{
		Namespace: testNamespace, CreateNamespace: create, Instance: testInstance,
		Objects: []Object{{Kind: KindDeployment, Name: "shop"}, {Kind: KindService, Name: "shop"}},
		Requests: map[string]Request{
			stackconfig.KeyCPURequest:    {Resource: corev1.ResourceCPU, Quantity: "100m"},
			stackconfig.KeyMemoryRequest: {Resource: corev1.ResourceMemory, Quantity: "64Mi"},
		},
	}
}

func namespace(owner string) *corev1.Namespace {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}
	if owner != "" {
		ns.Labels = map[string]string{InstanceLabel: owner}
	}
	return ns
}

func deployment(owner string) *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{
		Name: "shop", Namespace: testNamespace, Labels: map[string]string{InstanceLabel: owner},
	}}
}

func node(cpu, memory string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-" + cpu},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory),
		}},
	}
}

func TestPreflight(t *testing.T) {
	small := plan(true)
	small.Requests[stackconfig.KeyMemoryRequest] = Request{Resource: corev1.ResourceMemory, Quantity: "8Gi"}
	tests := []struct {
		name     string
		plan     Plan
		objects  []runtime.Object
		wantKeys []string
		wantText string
	}{
		{"new namespace", plan(true), nil, nil, ""},
		{"own namespace and objects", plan(true), []runtime.Object{namespace(testInstance), deployment(testInstance)}, nil, ""},
		{"foreign namespace", plan(true), []runtime.Object{namespace("")}, []string{stackconfig.KeyNamespace}, "is not this stack's"},
		{"another stack's namespace", plan(true), []runtime.Object{namespace("shop-qa")}, []string{stackconfig.KeyNamespace}, `"shop-qa"`},
		{"existing namespace to deploy into", plan(false), []runtime.Object{namespace("")}, nil, ""},
		{"missing namespace", plan(false), nil, []string{stackconfig.KeyNamespace}, "does not exist"},
		{"own namespace dropped", plan(false), []runtime.Object{namespace(testInstance)}, []string{stackconfig.KeyCreateNamespace}, "would delete it"},
		{"foreign deployment", plan(false), []runtime.Object{namespace(""), deployment("other")}, []string{stackconfig.KeyName}, "Deployment shop-dev/shop"},
		{"request no node holds", small, []runtime.Object{node("2", "4Gi"), node("4", "2Gi")}, []string{stackconfig.KeyMemoryRequest}, "4Gi allocatable"},
		{"request a node holds", plan(true), []runtime.Object{node("2", "4Gi")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Preflight(context.Background(), fake.NewClientset(tt.objects...), tt.plan)
			if got := stackconfig.InvalidKeys(err); !reflect.DeepEqual(got, tt.wantKeys) {
				t.Fatalf("invalid keys = %q, want %q\n%v", got, tt.wantKeys, err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error does not say %q:\n%v", tt.wantText, err)
			}
			if err != nil && !strings.Contains(err.Error(), "fix: ") {
				t.Errorf("error gives no fix:\n%v", err)
			}
		})
	}
}

func TestCheckContext(t *testing.T) {
	raw := clientcmdapi.NewConfig()
	raw.Contexts["staging"] = clientcmdapi.NewContext()
	raw.Contexts["prod"] = clientcmdapi.NewContext()
	if err := CheckContext(raw, "prod"); err != nil {
		t.Errorf("CheckContext(prod) = %v, want nil", err)
	}
	err := CheckContext(raw, "production")
	if got := stackconfig.InvalidKeys(err); !reflect.DeepEqual(got, []string{stackconfig.KeyKubeContext}) {
		t.Fatalf("invalid keys = %q, want kubeContext: %v", got, err)
	}
	if !strings.Contains(err.Error(), "one of: prod, staging") {
		t.Errorf("error does not list the contexts: %v", err)
	}
}
