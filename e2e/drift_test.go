package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// kubectl runs kubectl against the local cluster.
func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(".", nil, "kubectl", append([]string{"--kubeconfig", os.Getenv(envKubeconfig)}, args...)...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// handEdits changes, by hand, fields the program sets (a label, an
// annotation, a memory limit), scales the Deployment and deletes the
// Service. The autoscaler, which owns the count, undoes the scale; a
// refreshed preview shows every other edit, `pulumi up --refresh` restores
// the code's values with no field-manager conflict, and nothing is left.
func (e *env) handEdits(ctx context.Context, t *testing.T, st *stack) {
	t.Helper()
	ns := "--namespace=" + dayTwoNamespace
	kubectl(t, ns, "scale", "deployment", serviceName, "--replicas=4")
	kubectl(t, ns, "label", "deployment", serviceName, "app.kubernetes.io/part-of=by-hand", "--overwrite")
	kubectl(t, ns, "annotate", "deployment", serviceName, "pulumi.com/patchForce=false", "--overwrite")
	kubectl(t, ns, "patch", "deployment", serviceName, "--type=json",
		`-p=[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"96Mi"}]`)
	kubectl(t, ns, "delete", "service", serviceName, "--wait=true")
	start := time.Now()
	if _, err := e.waitReplicas(ctx, dayTwoNamespace, func(ready int32) bool { return ready == dayTwoMinReplica }, rolloutTimeout); err != nil {
		t.Fatalf("after kubectl scale: %v", err)
	}
	t.Logf("the autoscaler brought kubectl's 4 replicas back to %d in %.1fs", dayTwoMinReplica, time.Since(start).Seconds())

	p, err := st.previewPlan(ctx, optpreview.Refresh())
	if err != nil {
		t.Fatalf("refreshed preview: %v", err)
	}
	t.Logf("refreshed preview after the hand edits: %v, paths %v", p.ops.changed(), p.diffs[typeDeployment])
	if p.ops[typeService] != apitype.OpCreate {
		t.Errorf("refreshed preview plans %q for the deleted Service, want create", p.ops[typeService])
	}
	wantPaths := []string{"app.kubernetes.io/part-of", "pulumi.com/patchForce", "resources.limits.memory"}
	for _, want := range wantPaths {
		if !slices.ContainsFunc(p.diffs[typeDeployment], func(path string) bool { return strings.Contains(path, want) }) {
			t.Errorf("refreshed preview does not show the hand edit of %s: %v", want, p.diffs[typeDeployment])
		}
	}
	if _, _, err := st.up(ctx, optup.Refresh()); err != nil {
		t.Fatalf("up --refresh: %v", err)
	}
	url := e.mustURL(ctx, t, dayTwoNamespace)
	if err := waitMessage(ctx, url, dayTwoMessage, time.Minute); err != nil {
		t.Error(err)
	}
	d, err := e.deployment(ctx, dayTwoNamespace, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Labels["app.kubernetes.io/part-of"]; got != "microstack" {
		t.Errorf("label part-of = %q after up --refresh, want the code's microstack", got)
	}
	if got := d.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().String(); got != "64Mi" {
		t.Errorf("memory limit = %s after up --refresh, want the code's 64Mi", got)
	}
	e.cleanRefreshedPreview(ctx, t, st, dayTwoNamespace, "after converging")
}

// rolloutUndo undoes the last release with kubectl across a config change:
// the revision it goes back to names a ConfigMap Pulumi has deleted, so its
// pod cannot start, while the old ones keep serving. A refreshed preview
// shows the drift and `pulumi up --refresh` converges back to the code.
func (e *env) rolloutUndo(ctx context.Context, t *testing.T, st *stack) {
	t.Helper()
	url := e.mustURL(ctx, t, dayTwoNamespace)
	stop := steadyLoad(t, url)
	kubectl(t, "--namespace="+dayTwoNamespace, "rollout", "undo", "deployment/"+serviceName)
	p, err := st.previewPlan(ctx, optpreview.Refresh())
	if err != nil {
		stop()
		t.Fatalf("refreshed preview after rollout undo: %v", err)
	}
	if p.ops[typeDeployment] != apitype.OpUpdate {
		t.Errorf("refreshed preview plans %v after rollout undo, want a Deployment update", p.ops.changed())
	}
	start := time.Now()
	_, _, upErr := st.up(ctx, optup.Refresh())
	converged := time.Since(start)
	if upErr == nil {
		e.waitAvailable(ctx, t, dayTwoNamespace, dayTwoMinReplica)
	}
	rep := stop()
	t.Logf("rollout undo: up --refresh converged in %.1fs; load %d requests, %d failed", converged.Seconds(), rep.Sent(), rep.Errors)
	if upErr != nil {
		t.Fatalf("up --refresh after rollout undo: %v", upErr)
	}
	if rep.Errors != 0 {
		t.Errorf("%d of %d requests failed around the rollout undo; first: %v", rep.Errors, rep.Sent(), rep.FirstError)
	}
	e.cleanRefreshedPreview(ctx, t, st, dayTwoNamespace, "after converging")
}

// switchAutoscaling moves the stack from a fixed count to an autoscaler and
// back under steady load, counting the Ready pods all along.
func (e *env) switchAutoscaling(ctx context.Context, t *testing.T, st *stack) {
	t.Helper()
	const count = 3
	st.set(ctx, t, map[string]string{"replicas": fmt.Sprint(count)})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up with %d replicas: %v", count, err)
	}
	e.waitAvailable(ctx, t, dayTwoNamespace, count)
	url := e.mustURL(ctx, t, dayTwoNamespace)

	on := func() {
		st.unset(ctx, t, "replicas")
		st.set(ctx, t, map[string]string{"autoscaling": "true", "minReplicas": fmt.Sprint(count), "maxReplicas": "5"})
	}
	off := func() {
		st.unset(ctx, t, "autoscaling", "minReplicas", "maxReplicas")
		st.set(ctx, t, map[string]string{"replicas": fmt.Sprint(count)})
	}
	for _, sw := range []struct {
		name   string
		change func()
	}{{"on", on}, {"off", off}} {
		stop := steadyLoad(t, url)
		fewest := e.watchReadyPods(dayTwoNamespace)
		sw.change()
		_, _, err := st.up(ctx)
		time.Sleep(15 * time.Second) // the autoscaler's sync and a scale-down would show by now
		least := fewest()
		rep := stop()
		t.Logf("autoscaling %s: fewest Ready pods %d (configured %d); load %d requests, %d failed", sw.name, least, count, rep.Sent(), rep.Errors)
		if err != nil {
			t.Fatalf("up switching autoscaling %s: %v", sw.name, err)
		}
		if least < count {
			t.Errorf("switching autoscaling %s left %d Ready pods, want at least %d", sw.name, least, count)
		}
		if rep.Errors != 0 {
			t.Errorf("%d of %d requests failed switching autoscaling %s; first: %v", rep.Errors, rep.Sent(), sw.name, rep.FirstError)
		}
		e.cleanRefreshedPreview(ctx, t, st, dayTwoNamespace, "after switching autoscaling "+sw.name)
	}
	st.set(ctx, t, map[string]string{"replicas": fmt.Sprint(dayTwoMinReplica)})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up back to %d replicas: %v", dayTwoMinReplica, err)
	}
}

// watchReadyPods counts the Ready pods of the namespace's Deployment every
// few hundred milliseconds until the returned function is called, which
// returns the fewest seen.
func (e *env) watchReadyPods(ns string) (fewest func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	least := -1
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if d, err := e.deployment(ctx, ns, serviceName); err == nil {
				if pods, err := e.readyPods(ctx, d); err == nil {
					mu.Lock()
					if least < 0 || len(pods) < least {
						least = len(pods)
					}
					mu.Unlock()
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	return func() int {
		cancel()
		<-done
		return least
	}
}
