package main

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/microstack/microstack/infra/cluster"
	"github.com/microstack/microstack/infra/stackconfig"
)

const typeImage = "docker:index/image:Image"

// registered is one resource the program declared under mocks.
type registered struct {
	typ, name string
	inputs    resource.PropertyMap
	provider  string // the provider reference, "" for the default provider
	protect   bool
	dependsOn []string // the URNs of its explicit and input dependencies
}

// engine records every resource the program registers and answers like the
// providers would: auto-names, and a repo digest for built images.
type engine struct {
	mu        sync.Mutex
	resources []registered
}

func (e *engine) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	outputs := args.Inputs.Copy()
	if meta, ok := outputs["metadata"]; ok && meta.IsObject() {
		m := meta.ObjectValue().Copy()
		if _, named := m["name"]; !named {
			m["name"] = resource.NewStringProperty(args.Name + "-0a1b2c3d")
		}
		outputs["metadata"] = resource.NewObjectProperty(m)
	}
	if args.TypeToken == typeImage {
		name := args.Inputs["imageName"].StringValue()
		outputs["repoDigest"] = resource.NewStringProperty(fakeDigest(name))
	}
	e.mu.Lock()
	e.resources = append(e.resources, registered{
		typ: args.TypeToken, name: args.Name, inputs: args.Inputs, provider: args.Provider, protect: args.RegisterRPC.GetProtect(),
		dependsOn: args.RegisterRPC.GetDependencies(),
	})
	e.mu.Unlock()
	return args.Name + "-id", outputs, nil
}

func (e *engine) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

// fakeDigest is the digest the mock registry gives an image name:tag.
func fakeDigest(nameTag string) string {
	repo := nameTag
	if i := lastColonAfterSlash(nameTag); i >= 0 {
		repo = nameTag[:i]
	}
	return fmt.Sprintf("%s@sha256:%x", repo, sha256.Sum256([]byte(nameTag)))
}

func lastColonAfterSlash(s string) int {
	for i := len(s) - 1; i >= 0 && s[i] != '/'; i-- {
		if s[i] == ':' {
			return i
		}
	}
	return -1
}

// run runs the real program for stack with config sc, under mocks, against
// an empty fake cluster reached through a kubeconfig that holds the
// contexts the repository's stack files name.
func run(t *testing.T, stack string, sc stackConfig, objects ...runtime.Object) (*engine, error) {
	t.Helper()
	return runOn(t, stack, sc, fakeCluster(nil, objects...))
}

// runOn is run against the cluster open opens.
func runOn(t *testing.T, stack string, sc stackConfig, open cluster.Opener) (*engine, error) {
	t.Helper()
	e := &engine{}
	p := &program{open: open}
	err := pulumi.RunErr(p.run,
		pulumi.WithMocks(stackconfig.Namespace, stack, e),
		func(info *pulumi.RunInfo) {
			info.Config = sc.values
			info.ConfigSecretKeys = sc.secrets
		},
		p.captureConfigKeys)
	return e, err
}

// Contexts of the tests' kubeconfig.
var testContexts = []string{"microstack-local", "prod"}

// fakeCluster opens a fake clientset serving apis beyond the built-in ones
// and holding objects, after checking the context against the tests'
// kubeconfig as cluster.Open would.
func fakeCluster(apis []*metav1.APIResourceList, objects ...runtime.Object) cluster.Opener {
	return func(c stackconfig.Cluster) (kubernetes.Interface, error) {
		raw := clientcmdapi.NewConfig()
		for _, name := range testContexts {
			raw.Contexts[name] = clientcmdapi.NewContext()
		}
		if err := cluster.CheckContext(raw, c.Context); err != nil {
			return nil, err
		}
		cs := fake.NewClientset(objects...)
		cs.Resources = apis
		return cs, nil
	}
}

// ofType returns the resources of one type token.
func (e *engine) ofType(typ string) []registered {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []registered
	for _, r := range e.resources {
		if r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single resource of typ, failing the test otherwise.
func (e *engine) one(t *testing.T, typ string) registered {
	t.Helper()
	rs := e.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(rs), typ)
	}
	return rs[0]
}

// path walks nested objects and arrays: ints index arrays, strings key maps.
func path(v resource.PropertyValue, steps ...any) resource.PropertyValue {
	for _, s := range steps {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		switch s := s.(type) {
		case string:
			if !v.IsObject() {
				return resource.NewNullProperty()
			}
			v = v.ObjectValue()[resource.PropertyKey(s)]
		case int:
			if !v.IsArray() || s >= len(v.ArrayValue()) {
				return resource.NewNullProperty()
			}
			v = v.ArrayValue()[s]
		}
	}
	return v
}

func (r registered) get(steps ...any) resource.PropertyValue {
	return path(resource.NewObjectProperty(r.inputs), steps...)
}
