package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// The CPU load that makes the autoscaler grow the Deployment: workers
// sending GET / back to back through the Service, for at most scaleTimeout.
const (
	cpuLoadWorkers = 4
	cpuLoadPause   = 2 * time.Millisecond
	scaleTimeout   = 3 * time.Minute
)

// autoscale loads the Service until the HPA adds replicas, then stops and
// waits until it gives them back. Pulumi does not own spec.replicas, so a
// refreshed preview changes no property while scaled up, and nothing at
// all once the replicas are back and Ready.
func (e *env) autoscale(ctx context.Context, t *testing.T, st *stack, ns string) {
	t.Helper()
	hpa, err := e.kube.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	min, max := *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas
	e.waitAvailable(ctx, t, ns, min)

	stop := startLoad(t, client, e.mustURL(ctx, t, ns), cpuLoadWorkers, cpuLoadPause, scaleTimeout)
	start := time.Now()
	grown, err := e.waitReplicas(ctx, ns, func(ready int32) bool { return ready > min }, scaleTimeout)
	up := time.Since(start)
	if err != nil {
		stop()
		t.Fatalf("under load: %v", err)
	}
	// A pod the autoscaler has just added may not be Ready when the refresh
	// reads the Deployment; pulumi-kubernetes then reports the Deployment
	// unhealthy and plans an update that changes no property, to await it
	// again. What must never appear is a change to a property: replicas
	// above all.
	p, err := st.previewPlan(ctx, optpreview.Refresh())
	if err != nil {
		t.Errorf("refreshed preview while scaled to %d: %v", grown, err)
	}
	for typ, paths := range p.diffs {
		if len(paths) > 0 {
			t.Errorf("refreshed preview while scaled to %d changes %s: %v", grown, typ, paths)
		}
	}
	planned := p.ops.changed().String()
	if planned == "" {
		planned = "nothing to do"
	}
	t.Logf("refreshed preview while scaled to %d: %s, no property changed", grown, planned)
	rep := stop()
	t.Logf("scaled %d → %d Ready replicas in %.1fs of load (%d requests, %d failed)", min, grown, up.Seconds(), rep.Sent(), rep.Errors)
	if grown > max {
		t.Errorf("%d replicas, above the HPA maximum %d", grown, max)
	}

	start = time.Now()
	if _, err := e.waitReplicas(ctx, ns, func(ready int32) bool { return ready == min }, scaleTimeout); err != nil {
		t.Fatalf("after the load: %v", err)
	}
	t.Logf("back to %d replicas %.1fs after the load stopped", min, time.Since(start).Seconds())
	e.cleanRefreshedPreview(ctx, t, st, ns, "after scaling down")
}

// waitReplicas polls until the Deployment's replica count, all of them
// Ready, satisfies ok; it returns that count.
func (e *env) waitReplicas(ctx context.Context, ns string, ok func(ready int32) bool, timeout time.Duration) (int32, error) {
	var last int32
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		d, err := e.deployment(ctx, ns, serviceName)
		if err != nil {
			return false, nil
		}
		last = d.Status.ReadyReplicas
		return d.Status.Replicas == last && ok(last), nil
	})
	if err != nil {
		return last, fmt.Errorf("%s/%s: %d Ready replicas after %v, not the count awaited", ns, serviceName, last, timeout)
	}
	return last, nil
}
