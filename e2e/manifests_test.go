package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"
)

// liveKinds are the kinds the program declares in a namespace.
var liveKinds = []schema.GroupVersionResource{
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Version: "v1", Resource: "services"},
	{Version: "v1", Resource: "configmaps"},
	{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"},
	{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
}

// kubeScoreExemptions are the kube-score checks that do not apply, each
// with the reason.
var kubeScoreExemptions = map[string]string{
	// Pods run an image pinned by digest: every pull policy yields the same bytes.
	"container-image-pull-policy": "image pinned by digest",
}

// validateLiveObjects re-applies the stack's live objects as a strict
// server-side dry run (unknown or duplicate fields are errors) and scores
// them with kube-score: zero CRITICAL findings beyond the exemptions.
func (e *env) validateLiveObjects(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	var docs [][]byte
	autoscaled := e.autoscaledTargets(ctx, t, ns)
	for _, gvr := range liveKinds {
		list, err := e.dynamic.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=pulumi"})
		if err != nil {
			t.Fatalf("listing %s: %v", gvr.Resource, err)
		}
		if len(list.Items) == 0 {
			t.Errorf("no %s in %s", gvr.Resource, ns)
		}
		for _, obj := range list.Items {
			manifest := declared(obj, autoscaled)
			body, err := json.Marshal(manifest.Object)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.dynamic.Resource(gvr).Namespace(ns).Patch(ctx, obj.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{
				DryRun: []string{metav1.DryRunAll}, FieldManager: "microstack-e2e", FieldValidation: "Strict", Force: ptr(true),
			})
			if err != nil {
				t.Errorf("strict dry-run of %s %s: %v", gvr.Resource, obj.GetName(), err)
			}
			y, err := yaml.Marshal(manifest.Object)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, y)
		}
	}
	kubeScore(t, bytes.Join(docs, []byte("---\n")))
}

// declared strips what the server adds, leaving the object as declared.
func declared(obj unstructured.Unstructured, autoscaled map[string]bool) unstructured.Unstructured {
	out := *obj.DeepCopy()
	// spec.replicas of an autoscaled Deployment is the HPA's, not declared by
	// the program (assertReplicasNotOwnedByPulumi checks that); the server fills it in.
	if autoscaled[obj.GetKind()+"/"+obj.GetName()] {
		unstructured.RemoveNestedField(out.Object, "spec", "replicas")
	}
	for _, f := range [][]string{
		{"status"}, {"metadata", "managedFields"}, {"metadata", "resourceVersion"}, {"metadata", "uid"},
		{"metadata", "creationTimestamp"}, {"metadata", "generation"},
	} {
		unstructured.RemoveNestedField(out.Object, f...)
	}
	return out
}

func kubeScore(t *testing.T, manifests []byte) {
	t.Helper()
	repo, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := run(repo, nil, "hack/tools.sh", "path", "kube-score")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"score", "--output-format", "ci"}
	for check := range kubeScoreExemptions {
		args = append(args, "--ignore-test", check)
	}
	cmd := exec.Command(strings.TrimSpace(bin), append(args, "-")...)
	cmd.Stdin = bytes.NewReader(manifests)
	out, _ := cmd.CombinedOutput() // exit status 1 means findings: judged from the lines below
	var critical []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "[CRITICAL]") {
			critical = append(critical, line)
		}
	}
	t.Logf("kube-score: %d CRITICAL findings (exempt: %v)", len(critical), kubeScoreExemptions)
	if len(critical) > 0 {
		t.Errorf("kube-score CRITICAL findings:\n%s", strings.Join(critical, "\n"))
	}
	if !strings.Contains(string(out), "[OK]") {
		t.Errorf("kube-score scored nothing:\n%s", out)
	}
}

func ptr[T any](v T) *T { return &v }

// autoscaledTargets names the "Kind/name" objects an HPA in ns scales.
func (e *env) autoscaledTargets(ctx context.Context, t *testing.T, ns string) map[string]bool {
	t.Helper()
	hpas, err := e.kube.AutoscalingV2().HorizontalPodAutoscalers(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, h := range hpas.Items {
		targets[h.Spec.ScaleTargetRef.Kind+"/"+h.Spec.ScaleTargetRef.Name] = true
	}
	return targets
}
