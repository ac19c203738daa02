package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// What the branch of the pull-request check changes in Pulumi.dev.yaml.
const (
	branchMessage     = "Hello from a branch!"
	devMemoryLimit    = "64Mi"
	branchMemoryLimit = "96Mi"
)

// pullRequestPreview edits the dev stack file as a branch would and runs
// the pull-request check of this machine, hack/preview.sh --diff, on the
// deployed stack: its text must show exactly the branch's changes, and the
// stack must be left as it was.
func (e *env) pullRequestPreview(ctx context.Context, t *testing.T, dev *stack) {
	t.Helper()
	liveConfigMap := e.configMapRef(ctx, t, devNamespace)
	stackFile := filepath.Join(e.root, "Pulumi."+dev.name+".yaml")
	committed, err := os.ReadFile(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.WriteFile(stackFile, committed, 0o644); err != nil {
			t.Fatal(err)
		}
	}()
	e.editSource(t, filepath.Base(stackFile), "microstack:message: "+devMessage, "microstack:message: "+branchMessage)
	e.editSource(t, filepath.Base(stackFile), "microstack:memoryLimit: "+devMemoryLimit, "microstack:memoryLimit: "+branchMemoryLimit)

	out, err := run(e.root, e.scriptEnv(), "hack/preview.sh", dev.name, "--diff")
	if err != nil {
		t.Fatalf("hack/preview.sh: %v\n%s", err, out)
	}
	t.Logf("hack/preview.sh %s --diff printed:\n%s", dev.name, out)
	got, err := parseDiffText(out)
	if err != nil {
		t.Fatal(err)
	}
	assertOps(t, got.Ops, ops{typeConfigMap: apitype.OpReplace, typeDeployment: apitype.OpUpdate})
	assertChanges(t, got.Changes[typeConfigMap], map[string][2]string{
		"data.APP_MESSAGE": {quote(devMessage), quote(branchMessage)},
	})
	const container = "spec.template.spec.containers[0]."
	deployment := got.Changes[typeDeployment]
	assertChanges(t, deployment, map[string][2]string{
		container + "envFrom[0].configMapRef.name": {quote(liveConfigMap), ""}, // new name: any other
		container + "resources.limits.memory":      {quote(devMemoryLimit), quote(branchMemoryLimit)},
	})
	for _, c := range deployment {
		if strings.HasSuffix(c.Path, "configMapRef.name") && (c.New == c.Old || !strings.HasPrefix(c.New, `"`+serviceName+"-config-")) {
			t.Errorf("the pods would not follow the replaced ConfigMap: %s", c)
		}
	}
	// The count of unchanged resources follows the program's shape; what a
	// reviewer must read is that exactly two change.
	if !strings.HasPrefix(got.Summary, "2 changes. ") {
		t.Errorf("summary = %q, want 2 changes", got.Summary)
	}
	if err := os.WriteFile(stackFile, committed, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		t.Errorf("the pull-request preview changed the stack: %v", err)
	}
}

// assertChanges checks that changes are exactly the paths of want, each
// from its old to its new value (an empty new value is not checked).
func assertChanges(t *testing.T, changes []propertyChange, want map[string][2]string) {
	t.Helper()
	if len(changes) != len(want) {
		t.Errorf("changed properties %v, want exactly %v", changes, want)
	}
	for _, c := range changes {
		w, ok := want[c.Path]
		if !ok {
			t.Errorf("unexpected change %s", c)
			continue
		}
		if c.Old != w[0] || (w[1] != "" && c.New != w[1]) {
			t.Errorf("change %s, want %s => %s", c, w[0], w[1])
		}
	}
}

func quote(s string) string { return `"` + s + `"` }

// configMapRef is the name of the ConfigMap the live Deployment's pods read.
func (e *env) configMapRef(ctx context.Context, t *testing.T, ns string) string {
	t.Helper()
	d, err := e.deployment(ctx, ns, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range d.Spec.Template.Spec.Containers[0].EnvFrom {
		if src.ConfigMapRef != nil {
			return src.ConfigMapRef.Name
		}
	}
	t.Fatalf("deployment %s/%s reads no ConfigMap", ns, serviceName)
	return ""
}

// scriptEnv is the environment under which the repository's scripts act on
// the tests' stacks (see hack/lib/pulumi-env.sh).
func (e *env) scriptEnv() map[string]string {
	env := map[string]string{"MICROSTACK_PULUMI_STATE": e.work}
	maps.Copy(env, e.pulumiEnv)
	return env
}
