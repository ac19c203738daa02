package main

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/microstack/microstack/infra/stackconfig"
)

func TestInvalidConfigRegistersNothing(t *testing.T) {
	sc := loadStackFile(t, "staging").with(map[string]string{
		stackconfig.KeyMinReplicas: "6",
		stackconfig.KeyMaxReplicas: "4",
		stackconfig.KeyCPURequest:  "lots",
	})
	e, err := run(t, "staging", sc)
	if err == nil {
		t.Fatal("program succeeded, want a config error")
	}
	for _, key := range []string{stackconfig.KeyMaxReplicas, stackconfig.KeyCPURequest} {
		if !strings.Contains(err.Error(), "microstack:"+key+":") {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	if len(e.resources) != 0 {
		t.Errorf("%d resources registered before the config error, want 0", len(e.resources))
	}
}

func TestExistingImageSkipsBuild(t *testing.T) {
	ref := "localhost:5001/microstack@sha256:" + strings.Repeat("c", 64)
	e, err := run(t, "dev", loadStackFile(t, "dev").with(map[string]string{stackconfig.KeyImage: ref}))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	if n := len(e.ofType(typeImage)); n != 0 {
		t.Errorf("%d docker images declared, want none when image is set", n)
	}
	if got := e.one(t, typeDeployment).get("spec", "template", "spec", "containers", 0, "image").StringValue(); got != ref {
		t.Errorf("container image = %q, want %q", got, ref)
	}
}

// TestNewEnvironmentNeedsOnlyAStackFile synthesises a fourth stack from a
// few keys and runs the unchanged program.
func TestNewEnvironmentNeedsOnlyAStackFile(t *testing.T) {
	sc := stackConfig{values: map[string]string{}}
	for key, v := range projectDefaults(t) {
		sc.values[stackconfig.Namespace+":"+key] = configString(t, v)
	}
	sc = sc.with(map[string]string{
		stackconfig.KeyKubeContext:     "microstack-local",
		stackconfig.KeyImageRepository: "registry.example.com/microstack",
		stackconfig.KeyAutoscaling:     "true",
		stackconfig.KeyMinReplicas:     "2",
		stackconfig.KeyMaxReplicas:     "5",
	})
	e, err := run(t, "qa", sc)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	d := e.one(t, typeDeployment)
	if got := d.get("metadata", "namespace").StringValue(); got != "microstack-qa" {
		t.Errorf("namespace = %q, want microstack-qa derived from the stack name", got)
	}
	if got := d.get("spec", "template", "metadata", "labels", "app.kubernetes.io/instance").StringValue(); got != "microstack-qa" {
		t.Errorf("instance label = %q, want microstack-qa", got)
	}
	deployed, _ := images(t, e)
	if got := deployed.get("imageName").StringValue(); got != "registry.example.com/microstack:qa" {
		t.Errorf("image name = %q, want the stack name as tag", got)
	}
	e.one(t, typePDB)
}

// TestProjectDefaultsMatchCode keeps Pulumi.yaml's declared defaults and
// stackconfig.Defaults in step: the CLI applies the first, mocks and
// tools that bypass the CLI the second.
func TestProjectDefaultsMatchCode(t *testing.T) {
	values := map[string]string{}
	for key, v := range projectDefaults(t) {
		values[key] = configString(t, v)
	}
	values[stackconfig.KeyImageRepository] = "localhost:5001/microstack"
	values[stackconfig.KeyKubeContext] = "microstack-local"
	fromYAML, err := stackconfig.Load("dev", stackconfig.MapSource{Values: values})
	if err != nil {
		t.Fatalf("Pulumi.yaml defaults: %v", err)
	}
	fromCode, err := stackconfig.Load("dev", stackconfig.MapSource{Values: map[string]string{
		stackconfig.KeyImageRepository: "localhost:5001/microstack",
		stackconfig.KeyKubeContext:     "microstack-local",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromCode) {
		t.Errorf("Pulumi.yaml defaults give\n%+v\ncode defaults give\n%+v", fromYAML, fromCode)
	}
}

// TestEveryKeyDeclared checks that Pulumi.yaml declares each key the
// program reads, so `pulumi config` documents and type-checks all of them.
func TestEveryKeyDeclared(t *testing.T) {
	declared := projectDefaults(t)
	read := map[string]bool{}
	src := recordingSource{read: read}
	_, _ = stackconfig.Load("dev", src)
	for key := range read {
		if _, ok := declared[key]; !ok {
			t.Errorf("Pulumi.yaml does not declare %q", key)
		}
	}
	for key := range declared {
		if !read[key] {
			t.Errorf("Pulumi.yaml declares %q, which the program never reads", key)
		}
	}
}

type recordingSource struct{ read map[string]bool }

func (r recordingSource) Lookup(key string) (string, bool) { r.read[key] = true; return "", false }
func (r recordingSource) IsSecret(string) bool             { return false }

// TestForeignNamespaceRegistersNothing runs the program against a cluster
// where the stack's namespace exists and is not the stack's: it fails
// naming the key and declares nothing, so nothing is adopted.
func TestForeignNamespaceRegistersNothing(t *testing.T) {
	foreign := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "microstack-dev"}}
	e, err := run(t, "dev", loadStackFile(t, "dev"), foreign)
	if err == nil {
		t.Fatal("program succeeded, want it to refuse the foreign namespace")
	}
	if !strings.Contains(err.Error(), "microstack:namespace:") || !strings.Contains(err.Error(), "createNamespace false") {
		t.Errorf("error does not name the key and the fix: %v", err)
	}
	if len(e.resources) != 0 {
		t.Errorf("%d resources registered, want 0", len(e.resources))
	}
}
