package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
)

// What the day-two stacks share.
const (
	// localContext is the kube context of hack/cluster.sh's cluster.
	localContext     = "microstack-local"
	dayTwoNamespace  = "microstack-daytwo"
	dayTwoMessage    = "Hello from day two!"
	rolledMessage    = "Hello from the next release!"
	dayTwoRollout    = 30 // rolloutTimeoutSeconds: the shortest a stack may set
	dayTwoMinReplica = 2
)

// dayTwoSettings is a small, quick stack of the local cluster in its own
// namespace, running image.
func dayTwoSettings(ns, image string) map[string]string {
	return map[string]string{
		"kubeContext": localContext, "namespace": ns, "image": image, "message": dayTwoMessage,
		"rolloutTimeoutSeconds": strconv.Itoa(dayTwoRollout), "replicas": strconv.Itoa(dayTwoMinReplica),
		"cpuRequest": "25m", "cpuLimit": "250m", "memoryRequest": "24Mi", "memoryLimit": "64Mi",
		"preStopSeconds": "2", "drainSeconds": "1", "shutdownTimeoutSeconds": "5",
	}
}

// TestDayTwo walks what a team does to a running stack after its first
// deploy, on the real cluster: a rollback, hand edits, kubectl's rollout
// undo, switching autoscaling and objects the stack did not create. Each
// must converge and lose nothing. The other day-two cases (bad releases, a
// private registry, the wrong kube context) have stacks of their own and
// run beside it.
func TestDayTwo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	s := &steps{t: t}
	defer func() { t.Logf("step timings:\n%s", s.report()) }()

	var ref string
	st := e.stack(ctx, t, "daytwo")
	t.Cleanup(func() { _ = st.destroy(context.Background()) })

	s.run("the day-two stack is up", func(t *testing.T) {
		ref = e.buildImage(t, "daytwo")
		e.upDayTwo(ctx, t, st, dayTwoNamespace, ref)
	})
	s.run("a rollback is the previous config and pulumi up", func(t *testing.T) {
		e.rollback(ctx, t, st)
	})
	s.run("hand edits show as drift and converge", func(t *testing.T) {
		e.handEdits(ctx, t, st)
	})
	s.run("kubectl rollout undo converges back to the code", func(t *testing.T) {
		e.rolloutUndo(ctx, t, st)
	})
	s.run("switching autoscaling on and off drops no pod", func(t *testing.T) {
		e.switchAutoscaling(ctx, t, st)
	})
	s.run("nothing outside the stack is adopted or deleted", func(t *testing.T) {
		e.foreignObjects(ctx, t, st, ref)
	})
	s.run("destroy removes the day-two stack", func(t *testing.T) {
		e.destroyAll(ctx, t, dayTwoNamespace, st)
	})
}

// TestBadReleases deploys, under steady load, releases that never get
// Ready, each on a day-two stack of its own: `pulumi up` must fail fast
// naming why, no request may fail, and restoring the good image converges.
func TestBadReleases(t *testing.T) {
	t.Parallel()
	releases := []struct {
		name    string
		image   func(e *env, t *testing.T) string
		reasons []string
	}{
		{"exits at start", func(e *env, t *testing.T) string { return e.faultyImage(t, "exit") },
			[]string{"CrashLoopBackOff", "exit code", "Error"}},
		{"never gets Ready", func(e *env, t *testing.T) string { return e.faultyImage(t, "unready") },
			[]string{"unready status"}},
		{"cannot be pulled", func(e *env, _ *testing.T) string {
			return e.registry + "/microstack@sha256:" + strings.Repeat("0", 64)
		}, []string{"ErrImagePull", "ImagePullBackOff"}},
	}
	for i, r := range releases {
		t.Run("a release that "+r.name+" fails fast and harms nothing", func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			ctx := context.Background()
			name := fmt.Sprintf("bad-%d", i)
			ns := "microstack-" + name
			st := e.stack(ctx, t, name)
			t.Cleanup(func() { _ = st.destroy(context.Background()) })
			good := e.buildImage(t, "daytwo")
			e.upDayTwo(ctx, t, st, ns, good)
			e.badRelease(ctx, t, st, ns, r.image(e, t), good, r.reasons...)
			e.destroyAll(ctx, t, ns, st)
		})
	}
}

// upDayTwo brings a day-two stack up in ns with image, its pods Ready.
func (e *env) upDayTwo(ctx context.Context, t *testing.T, st *stack, ns, image string) {
	t.Helper()
	st.set(ctx, t, dayTwoSettings(ns, image))
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	e.waitAvailable(ctx, t, ns, dayTwoMinReplica)
}

// destroyAll destroys the stacks, and waits until ns is gone.
func (e *env) destroyAll(ctx context.Context, t *testing.T, ns string, stacks ...*stack) {
	t.Helper()
	for _, st := range stacks {
		if err := st.destroy(ctx); err != nil {
			t.Fatalf("destroy %s: %v", st.name, err)
		}
		if n, err := st.resourceCount(ctx); err != nil || n != 0 {
			t.Errorf("stack %s holds %d resources after destroy (%v)", st.name, n, err)
		}
	}
	if err := e.waitNamespaceGone(ctx, ns, 2*time.Minute); err != nil {
		t.Error(err)
	}
}

// faultyImage builds one of hack/images.sh's faulty releases.
func (e *env) faultyImage(t *testing.T, kind string) string {
	t.Helper()
	repo, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(repo, nil, "hack/images.sh", "faulty", kind)
	if err != nil {
		t.Fatalf("building the %s release: %v", kind, err)
	}
	return lastLine(out)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// failBound is the longest a bad release may hold `pulumi up`: the rollout
// bound, Pulumi's slack after it, and the program's build and start.
const failBound = (dayTwoRollout + 15 + 90) * time.Second

// badRelease deploys image under steady load: `pulumi up` must fail within
// failBound naming one of reasons, no request may fail, and restoring good
// then converges with nothing left to change.
func (e *env) badRelease(ctx context.Context, t *testing.T, st *stack, ns, image, good string, reasons ...string) {
	t.Helper()
	url := e.mustURL(ctx, t, ns)
	stop := steadyLoad(t, url)
	st.set(ctx, t, map[string]string{"image": image})
	start := time.Now()
	_, _, upErr := st.up(ctx)
	failed := time.Since(start)
	st.set(ctx, t, map[string]string{"image": good})
	restore := time.Now()
	_, _, restoreErr := st.up(ctx)
	restored := time.Since(restore)
	rep := stop()
	t.Logf("bad release: up failed after %.1fs; restore took %.1fs; load %d requests, %d failed", failed.Seconds(),
		restored.Seconds(), rep.Sent(), rep.Errors)
	if upErr == nil {
		t.Fatal("pulumi up of a release that never gets Ready succeeded")
	}
	t.Logf("the error names: %s", reasonLines(upErr.Error()))
	if failed > failBound {
		t.Errorf("pulumi up took %.1fs to fail, want at most %v", failed.Seconds(), failBound)
	}
	if !containsAny(upErr.Error(), reasons...) {
		t.Errorf("the error names none of %q:\n%v", reasons, upErr)
	}
	if restoreErr != nil {
		t.Fatalf("up after restoring the image: %v", restoreErr)
	}
	if rep.Errors != 0 {
		t.Errorf("%d of %d requests failed while the bad release was tried and undone; first: %v", rep.Errors, rep.Sent(), rep.FirstError)
	}
	e.assertLiveDeployment(ctx, t, ns, good, dayTwoMinReplica)
	if _, err := st.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		t.Errorf("preview after the restore is not clean: %v", err)
	}
}

// reasonLines keeps the lines of a failed up's final error that say why.
func reasonLines(text string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "* ") && containsAny(line, "[Pod ", "ProgressDeadlineExceeded", "timed out") {
			out = append(out, line)
		}
	}
	return strings.Join(out, " | ")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// rollback rolls a message change out and back the way README says: the
// previous config, then `pulumi up`, timed until every pod serves it.
func (e *env) rollback(ctx context.Context, t *testing.T, st *stack) {
	t.Helper()
	url := e.mustURL(ctx, t, dayTwoNamespace)
	st.set(ctx, t, map[string]string{"message": rolledMessage})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up of the next release: %v", err)
	}
	stop := steadyLoad(t, url)
	start := time.Now()
	st.set(ctx, t, map[string]string{"message": dayTwoMessage})
	if _, _, err := st.up(ctx); err != nil {
		stop()
		t.Fatalf("up of the previous config: %v", err)
	}
	d := e.waitAvailable(ctx, t, dayTwoNamespace, dayTwoMinReplica)
	if err := e.waitOnlyMessage(ctx, url, dayTwoMessage, rolloutTimeout); err != nil {
		t.Error(err)
	}
	took := time.Since(start)
	rep := stop()
	t.Logf("rollback: %.1fs from pulumi up to all %d pods of the previous release Ready and serving; load %d requests, %d failed",
		took.Seconds(), d.Status.ReadyReplicas, rep.Sent(), rep.Errors)
	if rep.Errors != 0 {
		t.Errorf("%d of %d requests failed during the rollback; first: %v", rep.Errors, rep.Sent(), rep.FirstError)
	}
}

// waitOnlyMessage polls url until a run of consecutive answers all serve want.
func (e *env) waitOnlyMessage(ctx context.Context, url, want string, timeout time.Duration) error {
	const run = 20
	deadline := time.Now().Add(timeout)
	for seen := 0; seen < run; {
		if time.Now().After(deadline) {
			return waitMessage(ctx, url, want, 0)
		}
		if msg, err := getMessage(ctx, url); err == nil && msg == want {
			seen++
		} else {
			seen = 0
			time.Sleep(pollInterval)
		}
	}
	return nil
}
