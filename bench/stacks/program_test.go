package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	quantity "k8s.io/apimachinery/pkg/api/resource"

	"github.com/microstack/microstack/infra/service"
	"github.com/microstack/microstack/infra/stackconfig"
)

const testImage = "localhost:5001/microstack@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// Resource types the program declares.
const (
	typeNamespace  = "kubernetes:core/v1:Namespace"
	typeConfigMap  = "kubernetes:core/v1:ConfigMap"
	typeDeployment = "kubernetes:apps/v1:Deployment"
	typeService    = "kubernetes:core/v1:Service"
	typeAccount    = "kubernetes:core/v1:ServiceAccount"
	typeHPA        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	typeNetPolicy  = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
)

// mocks records what the program registers and answers like the provider:
// an object without a name gets one.
type mocks struct {
	mu        sync.Mutex
	resources []pulumi.MockResourceArgs
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	outputs := args.Inputs.Copy()
	if meta, ok := outputs["metadata"]; ok && meta.IsObject() {
		md := meta.ObjectValue().Copy()
		if _, named := md["name"]; !named {
			md["name"] = resource.NewStringProperty(args.Name + "-0a1b2c3d")
		}
		outputs["metadata"] = resource.NewObjectProperty(md)
	}
	m.mu.Lock()
	m.resources = append(m.resources, args)
	m.mu.Unlock()
	return args.Name + "-id", outputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) { return args.Args, nil }

// runProgram runs program(n) for stack under mocks, with config s.
func runProgram(t *testing.T, n int, stack string, s settings) (*mocks, error) {
	t.Helper()
	m := &mocks{}
	err := pulumi.RunErr(program(n), pulumi.WithMocks(projectName, stack, m), func(info *pulumi.RunInfo) {
		info.Config = s.configMap()
	})
	return m, err
}

func (m *mocks) count() map[string]int {
	out := map[string]int{}
	for _, r := range m.resources {
		out[r.TypeToken]++
	}
	return out
}

func TestProgramDeclaresNServices(t *testing.T) {
	for _, n := range []int{1, 10, 50} {
		m, err := runProgram(t, n, "stacks", sizeSettings(n, testImage))
		if err != nil {
			t.Fatalf("%d services: %v", n, err)
		}
		want := map[string]int{service.TypeToken: n, typeNamespace: 1, typeConfigMap: n, typeDeployment: n, typeService: n,
			typeAccount: n, typeHPA: n, typeNetPolicy: n}
		got := m.count()
		if len(got) != len(want) {
			t.Errorf("%d services: declared %v, want %v", n, got, want)
		}
		for typ, c := range want {
			if got[typ] != c {
				t.Errorf("%d services: declared %v, want %v", n, got, want)
				break
			}
		}
		// The stack resource is counted by the engine, not by the mocks.
		if total := len(m.resources) + 1; total != expectedResources(n) {
			t.Errorf("%d services: %d resources with the stack, expectedResources says %d", n, total, expectedResources(n))
		}
		checkObjects(t, m, sizeNamespace(n), n)
	}
}

// checkObjects checks that every Deployment and Service lives in ns under a
// name of its own, and that the Deployments run testImage.
func checkObjects(t *testing.T, m *mocks, ns string, n int) {
	t.Helper()
	names := map[string]bool{}
	for _, r := range m.resources {
		if r.TypeToken != typeDeployment && r.TypeToken != typeService {
			continue
		}
		md := r.Inputs["metadata"].ObjectValue()
		if got := md["namespace"].StringValue(); got != ns {
			t.Errorf("%s %s in namespace %q, want %q", r.TypeToken, r.Name, got, ns)
		}
		key := r.TypeToken + "/" + md["name"].StringValue()
		if names[key] {
			t.Errorf("two objects named %s", key)
		}
		names[key] = true
		if r.TypeToken == typeDeployment {
			c := r.Inputs["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()["containers"].ArrayValue()[0].ObjectValue()
			if img := c["image"].StringValue(); img != testImage {
				t.Errorf("deployment %s runs %q, want %q", r.Name, img, testImage)
			}
		}
	}
	if len(names) != 2*n {
		t.Errorf("%d named Deployments and Services, want %d", len(names), 2*n)
	}
}

func TestProgramRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  map[string]string
		wantErr string
	}{
		{name: "namespace of another run", change: map[string]string{stackconfig.KeyNamespace: "microstack-dev"}, wantErr: `only namespaces starting with "bench-"`},
		{name: "no image", change: map[string]string{stackconfig.KeyImage: ""}, wantErr: stackconfig.KeyImageRepository},
		{name: "image to build", change: map[string]string{stackconfig.KeyImage: "", stackconfig.KeyImageRepository: "localhost:5001/microstack"},
			wantErr: "existing image"},
		{name: "existing namespace", change: map[string]string{stackconfig.KeyCreateNamespace: "false"}, wantErr: "createNamespace"},
		{name: "request above limit", change: map[string]string{stackconfig.KeyCPURequest: "100m"}, wantErr: stackconfig.KeyCPURequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sizeSettings(3, testImage)
			for k, v := range tc.change {
				if v == "" {
					delete(s, k)
				} else {
					s[k] = v
				}
			}
			if _, err := s.validate("stacks"); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("validate: error = %v, want one containing %q", err, tc.wantErr)
			}
			m, err := runProgram(t, 3, "stacks", s)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("program: error = %v, want one containing %q", err, tc.wantErr)
			}
			if len(m.resources) != 0 {
				t.Errorf("program registered %d resources on a bad config, want none", len(m.resources))
			}
		})
	}
}

// TestSettingsFitTheNode holds the bench to its namespaces and checks that
// the largest size's pods ask for a small part of a 2-core node, so they
// schedule beside other work.
func TestSettingsFitTheNode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		s        settings
		pods     int
		maxCPU   string // total requests at most
		maxMem   string
		replicas int
	}{
		{name: "largest size", s: sizeSettings(maxServices, testImage), pods: maxServices, maxCPU: "500m", maxMem: "2Gi", replicas: 1},
		{name: "default largest size", s: sizeSettings(50, testImage), pods: 50, maxCPU: "250m", maxMem: "1Gi", replicas: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tc.s.validate("stacks")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(cfg.Namespace, namespacePrefix) {
				t.Errorf("namespace %q does not start with %q", cfg.Namespace, namespacePrefix)
			}
			if cfg.Scaling.Autoscaling || cfg.Scaling.Replicas != tc.replicas {
				t.Errorf("scaling = %+v, want %d fixed replicas", cfg.Scaling, tc.replicas)
			}
			total := func(q string) quantity.Quantity {
				per := quantity.MustParse(q)
				sum := quantity.Quantity{}
				for range tc.pods {
					sum.Add(per)
				}
				return sum
			}
			if cpu := total(cfg.Resources.CPURequest); cpu.Cmp(quantity.MustParse(tc.maxCPU)) > 0 {
				t.Errorf("%d pods request %s CPU, want at most %s", tc.pods, cpu.String(), tc.maxCPU)
			}
			if mem := total(cfg.Resources.MemoryRequest); mem.Cmp(quantity.MustParse(tc.maxMem)) > 0 {
				t.Errorf("%d pods request %s memory, want at most %s", tc.pods, mem.String(), tc.maxMem)
			}
		})
	}
}
