package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/microstack/microstack/internal/load"
	"github.com/microstack/microstack/internal/probe"
)

const (
	outageMessage = "Hello, after an outage!"
	// apiServerOutage is how long the API server stays down mid-update.
	apiServerOutage = 10 * time.Second
	// outageUpTimeout bounds the interrupted update: the provider may wait
	// out the outage or give up, but not hang.
	outageUpTimeout = 8 * time.Minute
)

// outageNamespace is TestAPIServerOutage's stack's namespace.
const outageNamespace = "microstack-outage"

// TestAPIServerOutage stops the API server in the middle of `pulumi up`.
// The outage reaches every client of the cluster, so the test runs alone:
// it is the one end-to-end test that is not parallel, and Go runs those
// before the parallel ones.
func TestAPIServerOutage(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	st := e.stack(ctx, t, "outage")
	t.Cleanup(func() { _ = st.destroy(context.Background()) })
	e.upDayTwo(ctx, t, st, outageNamespace, e.buildImage(t, "daytwo"))
	e.apiServerOutageDuringUp(ctx, t, st, outageNamespace)
	e.destroyAll(ctx, t, outageNamespace, st)
}

// apiServerOutageDuringUp stops the API server when `pulumi up` starts
// updating the Deployment (the new ConfigMap already created), starts it
// again, and then expects refresh and up to converge: one ConfigMap, the
// one the pods read, no duplicate in the state, nothing left to change.
func (e *env) apiServerOutageDuringUp(ctx context.Context, t *testing.T, st *stack, ns string) {
	t.Helper()
	st.set(ctx, t, map[string]string{"message": outageMessage})
	ch := make(chan events.EngineEvent)
	stopped := make(chan error, 1)
	go func() {
		fired := false
		for ev := range ch {
			if pre := ev.ResourcePreEvent; !fired && pre != nil && pre.Metadata.Type == typeDeployment && pre.Metadata.Op == apitype.OpUpdate {
				fired = true
				stopped <- e.cluster("stop", "kube-apiserver")
			}
		}
		if !fired {
			stopped <- fmt.Errorf("up never began to update the Deployment")
		}
	}()
	upCtx, cancel := context.WithTimeout(ctx, outageUpTimeout)
	defer cancel()
	upErr := make(chan error, 1)
	upStart := time.Now()
	go func() {
		_, err := st.stack.Up(upCtx, optup.EventStreams(ch))
		upErr <- err
	}()
	if err := <-stopped; err != nil {
		t.Fatalf("stopping the API server: %v", err)
	}
	time.Sleep(apiServerOutage)
	start := time.Now()
	if err := e.cluster("up"); err != nil {
		t.Fatalf("starting the API server again: %v", err)
	}
	restart := time.Since(start)
	err := <-upErr
	t.Logf("API server down for %v, restarted in %.1fs; the interrupted up returned after %.1fs: %v",
		apiServerOutage, restart.Seconds(), time.Since(upStart).Seconds(), firstLine(err))

	if _, err := st.stack.Refresh(ctx, optrefresh.SuppressProgress()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up after the outage: %v", err)
	}
	if _, err := st.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		t.Errorf("preview after converging: %v", err)
	}
	e.assertStateMatchesCluster(ctx, t, st, ns)
	if err := waitMessage(ctx, e.mustURL(ctx, t, ns), outageMessage, time.Minute); err != nil {
		t.Error(err)
	}
}

// cluster runs hack/cluster.sh of the repository copy.
func (e *env) cluster(args ...string) error {
	_, err := run(e.root, nil, "hack/cluster.sh", args...)
	return err
}

func firstLine(err error) string {
	if err == nil {
		return "success"
	}
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// stateResource is what the tests read of a resource in exported state.
type stateResource struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	ID   string `json:"id"`
}

// assertStateMatchesCluster checks that the state holds each resource once,
// with no operation left pending, and that the namespace holds exactly the
// ConfigMaps, Secrets and Deployments the state names: no duplicate, no
// orphan.
func (e *env) assertStateMatchesCluster(ctx context.Context, t *testing.T, st *stack, ns string) {
	t.Helper()
	dep, err := st.stack.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []stateResource `json:"resources"`
		Pending   []any           `json:"pending_operations"`
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		t.Fatal(err)
	}
	if len(state.Pending) > 0 {
		t.Errorf("state has %d pending operations: %v", len(state.Pending), state.Pending)
	}
	declared := map[string]bool{}
	for _, r := range state.Resources {
		if declared[r.URN] {
			t.Errorf("state holds %s twice", r.URN)
		}
		declared[r.URN] = true
		declared[r.Type+" "+r.ID] = true
	}
	for _, obj := range e.objectsOf(ctx, t, ns) {
		if !declared[obj] && !clusterMade(obj, ns) && !operatorMade(obj) {
			t.Errorf("%s is in the cluster but not in the stack's state", obj)
		}
	}
}

// podFault is something done to one Ready pod of a Deployment.
type podFault func(ctx context.Context, pod corev1.Pod) error

// faultUnderLoad does fault to one of ns's Ready pods while a steady load
// runs through the Service, waits until the Deployment has all its
// replicas Ready again, and returns what the load saw.
func (e *env) faultUnderLoad(ctx context.Context, t *testing.T, ns string, fault podFault) load.Result {
	t.Helper()
	d := e.waitAvailable(ctx, t, ns, 2)
	want := d.Status.Replicas
	pods, err := e.readyPods(ctx, d)
	if err != nil || len(pods) < 2 {
		t.Fatalf("%d Ready pods (%v), want at least 2 so that one can fail", len(pods), err)
	}
	stop := steadyLoad(t, e.mustURL(ctx, t, ns))
	time.Sleep(2 * time.Second)
	start := time.Now()
	if err := fault(ctx, pods[0]); err != nil {
		stop()
		t.Fatalf("fault on pod %s: %v", pods[0].Name, err)
	}
	e.waitRecovered(ctx, t, ns, pods[0], want)
	recovered := time.Since(start)
	time.Sleep(2 * time.Second)
	rep := stop()
	t.Logf("pod %s: recovered in %.1fs; load: %d requests, %d failed (first: %v)",
		pods[0].Name, recovered.Seconds(), rep.Sent(), rep.Errors, rep.FirstError)
	return rep
}

// waitRecovered polls until the Deployment has want Ready replicas again
// and the faulty pod is either gone (deleted and replaced) or Ready after a
// restart.
func (e *env) waitRecovered(ctx context.Context, t *testing.T, ns string, faulty corev1.Pod, want int32) {
	t.Helper()
	restarts := faulty.Status.ContainerStatuses[0].RestartCount
	err := wait.PollUntilContextTimeout(ctx, pollInterval, rolloutTimeout, false, func(ctx context.Context) (bool, error) {
		d, err := e.deployment(ctx, ns, serviceName)
		if err != nil || d.Status.ReadyReplicas < want {
			return false, nil
		}
		p, err := e.kube.CoreV1().Pods(ns).Get(ctx, faulty.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err) || (err == nil && probe.PodReady(*p) && p.Status.ContainerStatuses[0].RestartCount > restarts), nil
	})
	if err != nil {
		t.Fatalf("%s/%s did not recover from the fault on %s within %v", ns, serviceName, faulty.Name, rolloutTimeout)
	}
}

// deletePod deletes the pod the way a node drain or a user does: with its
// grace period, so it drains.
func (e *env) deletePod(ctx context.Context, pod corev1.Pod) error {
	return e.kube.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
}

// killContainer SIGKILLs every process of the pod's app container, as a
// crash or the OOM killer would, found through its cgroup. The local
// cluster's kubelet uses cgroup v1 with the cgroupfs driver.
func killContainer(_ context.Context, pod corev1.Pod) error {
	_, id, ok := strings.Cut(pod.Status.ContainerStatuses[0].ContainerID, "://")
	if !ok {
		return fmt.Errorf("pod %s: container ID %q is not RUNTIME://ID", pod.Name, pod.Status.ContainerStatuses[0].ContainerID)
	}
	var procs []byte
	var err error
	for _, qos := range []string{"", "burstable", "besteffort"} {
		path := filepath.Join("/sys/fs/cgroup/pids/kubepods", qos, "pod"+string(pod.UID), id, "cgroup.procs")
		if procs, err = os.ReadFile(path); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("no cgroup for container %s of pod %s: %w", id, pod.Name, err)
	}
	for _, f := range strings.Fields(string(procs)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("cgroup.procs of %s: %w", id, err)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return fmt.Errorf("kill %d: %w", pid, err)
		}
	}
	return nil
}
