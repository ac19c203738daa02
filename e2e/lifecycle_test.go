package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/microstack/microstack/internal/load"
	"github.com/microstack/microstack/internal/probe"
)

// What the repository's stack files set, and what the tests change.
const (
	devNamespace     = "microstack-dev"
	stagingNamespace = "microstack-staging"
	serviceName      = "microstack"
	devMessage       = "Hello from dev!"
	changedMessage   = "Hello again from dev!"
)

// Resource types of the program.
const (
	typeComponent  = "microstack:index:Service"
	typeNamespace  = "kubernetes:core/v1:Namespace"
	typeConfigMap  = "kubernetes:core/v1:ConfigMap"
	typeDeployment = "kubernetes:apps/v1:Deployment"
	typeService    = "kubernetes:core/v1:Service"
	typeHPA        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	typePDB        = "kubernetes:policy/v1:PodDisruptionBudget"

	typeServiceAccount = "kubernetes:core/v1:ServiceAccount"
)

const rolloutTimeout = 3 * time.Minute

// TestEndToEnd walks a stack's life on the real cluster, each step relying
// on the ones before it.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	s := &steps{t: t}
	defer func() { t.Logf("step timings:\n%s", s.report()) }()

	dev := e.stack(ctx, t, "dev")
	t.Cleanup(func() { _ = dev.destroy(context.Background()) })
	var ref, alertRules string
	var upEnded time.Time

	s.run("image is built and pushed by digest", func(t *testing.T) {
		ref = e.buildImage(t, "e2e")
		dev.set(ctx, t, map[string]string{"image": ref})
	})
	s.run("preview shows the creates", func(t *testing.T) {
		got, err := dev.preview(ctx)
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		want := ops{typeComponent: apitype.OpCreate, typeNamespace: apitype.OpCreate, typeConfigMap: apitype.OpCreate,
			typeDeployment: apitype.OpCreate, typeService: apitype.OpCreate, typeServiceAccount: apitype.OpCreate,
			typeHPA: apitype.OpCreate, typeNetPolicy: apitype.OpCreate}
		assertOps(t, got, want)
	})
	s.run("up converges with Ready pods", func(t *testing.T) {
		_, res, err := dev.up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if got := output(res, "image"); got != ref {
			t.Errorf("output image = %q, want %q", got, ref)
		}
		if got := output(res, "namespace"); got != devNamespace {
			t.Errorf("output namespace = %q, want %q", got, devNamespace)
		}
		wantURL := fmt.Sprintf("http://%s.%s.svc.cluster.local:80", serviceName, devNamespace)
		if got := output(res, "url"); got != wantURL {
			t.Errorf("output url = %q, want %q", got, wantURL)
		}
		e.assertLiveDeployment(ctx, t, devNamespace, ref, 1)
		upEnded, alertRules = time.Now(), output(res, "alertRules")
	})
	s.run("Prometheus scrapes the pods as healthy targets", func(t *testing.T) {
		e.scrapedByPrometheus(ctx, t, devNamespace, upEnded)
	})
	s.run("the app answers through the ClusterIP", func(t *testing.T) {
		url := e.mustURL(ctx, t, devNamespace)
		if err := waitMessage(ctx, url, devMessage, time.Minute); err != nil {
			t.Fatal(err)
		}
	})
	s.run("second preview and up change nothing", func(t *testing.T) {
		if _, err := dev.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
			t.Fatalf("preview --expect-no-changes: %v", err)
		}
		got, _, err := dev.up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if changed := got.changed(); len(changed) > 0 {
			t.Errorf("second up changed %v", changed)
		}
	})
	staging := e.stack(ctx, t, "staging")
	t.Cleanup(func() { _ = staging.destroy(context.Background()) })
	s.run("staging deploys beside dev without touching it", func(t *testing.T) {
		e.stagingBesideDev(ctx, t, staging, ref)
	})
	// From here on dev and staging change only themselves: their steps run
	// side by side.
	image := ref
	t.Run("dev", func(t *testing.T) {
		t.Parallel()
		e.devChanges(ctx, t, dev, image, alertRules)
	})
	t.Run("staging", func(t *testing.T) {
		t.Parallel()
		e.stagingChanges(ctx, t, staging, image)
	})
}

// devChanges walks dev through the ingress, a rollout under load, the
// NetworkPolicy, monitoring, a rebuild and a secret, and destroys it.
func (e *env) devChanges(ctx context.Context, t *testing.T, dev *stack, ref, alertRules string) {
	s := &steps{t: t}
	defer func() { t.Logf("step timings:\n%s", s.report()) }()
	var in ingress
	s.run("the pull-request preview shows exactly a branch's changes", func(t *testing.T) {
		e.pullRequestPreview(ctx, t, dev)
	})
	s.run("the ingress answers by host over HTTP and HTTPS, an unknown host gets 404", func(t *testing.T) {
		in = e.exposeThroughIngress(ctx, t, dev, devMessage)
	})
	s.run("a config change rolls out with no failed request, through the Service and the ingress", func(t *testing.T) {
		e.rolloutUnderLoad(ctx, t, dev, devMessage, changedMessage,
			loadPath{name: "the ClusterIP", client: client, url: e.mustURL(ctx, t, devNamespace)},
			loadPath{name: "the ingress (HTTPS)", client: in.client(), url: "https://" + ingressHost + "/"})
	})
	s.run("the NetworkPolicy admits allowed namespaces and the ingress controller only", func(t *testing.T) {
		e.networkPolicyEnforced(ctx, t, dev, in, changedMessage)
	})
	s.run("Prometheus sees the requests by route and code", func(t *testing.T) {
		e.requestsSeenByPrometheus(ctx, t, devNamespace)
	})
	s.run("the alert rules load in Prometheus and evaluate with health ok", func(t *testing.T) {
		e.alertRulesEvaluate(ctx, t, alertRules, "microstack-dev")
	})
	s.run("a ServiceMonitor and a PrometheusRule are accepted by the API server", func(t *testing.T) {
		e.operatorObjects(ctx, t, dev, alertRules)
	})
	s.run("an unchanged rebuild does not roll, a source change does", func(t *testing.T) {
		e.rebuild(ctx, t, dev, ref)
	})
	s.run("a secret config value lands in plain text nowhere", func(t *testing.T) {
		e.secretStaysSecret(ctx, t, dev)
	})
	s.run("destroy removes dev", func(t *testing.T) {
		e.destroyAll(ctx, t, devNamespace, dev)
	})
}

// stagingChanges changes staging's autoscaler, validates its live objects,
// scales it under load, does harm to its pods, and destroys it.
func (e *env) stagingChanges(ctx context.Context, t *testing.T, staging *stack, ref string) {
	s := &steps{t: t}
	defer func() { t.Logf("step timings:\n%s", s.report()) }()
	s.run("HPA bounds update in place", func(t *testing.T) {
		e.changeHPABounds(ctx, t, staging)
	})
	s.run("live objects pass strict validation and kube-score", func(t *testing.T) {
		e.validateLiveObjects(ctx, t, stagingNamespace)
	})
	s.run("the HPA scales up under CPU load and back down after it", func(t *testing.T) {
		e.autoscale(ctx, t, staging, stagingNamespace)
	})
	s.run("a deleted pod drains with no failed request", func(t *testing.T) {
		rep := e.faultUnderLoad(ctx, t, stagingNamespace, e.deletePod)
		if rep.Errors != 0 {
			t.Errorf("%d of %d requests failed while a pod was deleted; first: %v", rep.Errors, rep.Sent(), rep.FirstError)
		}
	})
	s.run("a killed container is restarted while the Service answers", func(t *testing.T) {
		rep := e.faultUnderLoad(ctx, t, stagingNamespace, killContainer)
		if rep.Requests < rep.Sent()/2 {
			t.Errorf("the Service answered %d of %d requests after a container was killed", rep.Requests, rep.Sent())
		}
	})
	s.run("invalid config fails at preview and touches nothing", func(t *testing.T) {
		e.invalidConfig(ctx, t, ref)
	})
	s.run("destroy removes staging", func(t *testing.T) {
		e.destroyAll(ctx, t, stagingNamespace, staging)
	})
}

// rebuild checks that building the unchanged source again, twice, gives
// ref's digest (the layer cache each build exports must not change it), and
// that a source change gives another that rolls out alone.
func (e *env) rebuild(ctx context.Context, t *testing.T, dev *stack, ref string) {
	t.Helper()
	for i := 1; i <= 2; i++ {
		if again := e.buildImage(t, "e2e"); again != ref {
			t.Fatalf("rebuild %d without a source change gave %s, want the same digest %s", i, again, ref)
		}
	}
	e.editSource(t, "app/internal/buildinfo/buildinfo.go", `Version = "dev"`, `Version = "dev-e2e"`)
	changed := e.buildImage(t, "e2e")
	if changed == ref {
		t.Fatal("a source change produced the same digest")
	}
	dev.set(ctx, t, map[string]string{"image": changed})
	got, err := dev.preview(ctx)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	assertOps(t, got.changed(), ops{typeDeployment: apitype.OpUpdate})
	if _, _, err := dev.up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	e.assertLiveDeployment(ctx, t, devNamespace, changed, 1)
}

func assertOps(t *testing.T, got, want ops) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("operations = %v, want %v", got, want)
		return
	}
	for typ, op := range want {
		if got[typ] != op {
			t.Errorf("operations = %v, want %v", got, want)
			return
		}
	}
}

func (e *env) mustURL(ctx context.Context, t *testing.T, ns string) string {
	t.Helper()
	url, err := probe.ClusterIPURL(ctx, e.kube, ns, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// assertLiveDeployment reads the Deployment back and checks what matters:
// rolled out with Ready pods running image, probes, security context, selector.
func (e *env) assertLiveDeployment(ctx context.Context, t *testing.T, ns, image string, minReady int) *appsv1.Deployment {
	t.Helper()
	d, err := e.deployment(ctx, ns, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	if int(d.Status.AvailableReplicas) < minReady || d.Status.UpdatedReplicas != d.Status.Replicas {
		t.Errorf("deployment status = %+v, want %d available and fully updated", d.Status, minReady)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if c.Image != image {
		t.Errorf("image = %s, want %s", c.Image, image)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("probes = %+v / %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil ||
		*sc.AllowPrivilegeEscalation || !slices.Contains(sc.Capabilities.Drop, corev1.Capability("ALL")) {
		t.Errorf("container securityContext = %+v", sc)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Errorf("pod securityContext = %+v", pod.SecurityContext)
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("pod label %s = %q, selector wants %q", k, d.Spec.Template.Labels[k], v)
		}
	}
	pods, err := e.readyPods(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	ready := 0
	for _, p := range pods {
		if p.Spec.Containers[0].Image == image {
			ready++
			digest := image[strings.Index(image, "@")+1:]
			if id := p.Status.ContainerStatuses[0].ImageID; !strings.HasSuffix(id, digest) {
				t.Errorf("pod %s runs image %s, want digest %s", p.Name, id, digest)
			}
		}
	}
	if ready < minReady {
		t.Errorf("%d Ready pods run %s, want at least %d", ready, image, minReady)
	}
	return d
}

// loadPath is one way a steady load reaches the app.
type loadPath struct {
	name   string
	client *http.Client
	url    string
}

// rolloutUnderLoad changes the message from old and rolls it out while a
// steady load runs along every path at once, counting every failed request.
func (e *env) rolloutUnderLoad(ctx context.Context, t *testing.T, dev *stack, old, message string, paths ...loadPath) {
	t.Helper()
	dev.set(ctx, t, map[string]string{"message": message})
	got, err := dev.preview(ctx)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	// The auto-named ConfigMap is replaced, and the pod template follows it.
	assertOps(t, got.changed(), ops{typeConfigMap: apitype.OpReplace, typeDeployment: apitype.OpUpdate})

	stops := make([]func() load.Result, len(paths))
	for i, p := range paths {
		stops[i] = startLoad(t, p.client, p.url, loadWorkers, loadPause, maxLoadDuration)
	}
	start := time.Now()
	_, _, upErr := dev.up(ctx)
	rollout := time.Since(start)
	var waitErr error
	for _, p := range paths {
		waitErr = errors.Join(waitErr, waitMessageWith(ctx, p.client, p.url, message, rolloutTimeout))
	}
	time.Sleep(time.Second) // keep the load on the settled state a moment
	for i, p := range paths {
		rep := stops[i]()
		t.Logf("rollout: pulumi up %.1fs; load through %s: %d requests, %d failed, messages %v",
			rollout.Seconds(), p.name, rep.Sent(), rep.Errors, rep.Answers)
		if rep.Errors != 0 {
			t.Errorf("%d of %d requests through %s failed during the rollout; first: %v", rep.Errors, rep.Sent(), p.name, rep.FirstError)
		}
		if rep.Answers[old] == 0 || rep.Answers[message] == 0 {
			t.Errorf("load through %s saw messages %v, want both the old and the new one", p.name, rep.Answers)
		}
	}
	if upErr != nil {
		t.Fatalf("up: %v", upErr)
	}
	if waitErr != nil {
		t.Fatal(waitErr)
	}
}

// stagingBesideDev deploys staging into its own namespace and checks that
// dev's Deployment and pods are left exactly as they were.
func (e *env) stagingBesideDev(ctx context.Context, t *testing.T, staging *stack, ref string) {
	t.Helper()
	before, err := e.deployment(ctx, devNamespace, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	staging.set(ctx, t, map[string]string{"image": ref})
	got, _, err := staging.up(ctx)
	if err != nil {
		t.Fatalf("up staging: %v", err)
	}
	assertOps(t, got, ops{typeComponent: apitype.OpCreate, typeNamespace: apitype.OpCreate, typeConfigMap: apitype.OpCreate,
		typeDeployment: apitype.OpCreate, typeService: apitype.OpCreate, typeHPA: apitype.OpCreate, typePDB: apitype.OpCreate,
		typeServiceAccount: apitype.OpCreate, typeNetPolicy: apitype.OpCreate})
	after, err := e.deployment(ctx, devNamespace, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	// Status writes by the controllers move resourceVersion; the spec's generation moves only
	// when someone changes the Deployment.
	if after.Generation != before.Generation {
		t.Errorf("dev Deployment changed (generation %d → %d) while staging deployed", before.Generation, after.Generation)
	}
	d := e.waitAvailable(ctx, t, stagingNamespace, 2)
	e.assertLiveDeployment(ctx, t, stagingNamespace, ref, 2)
	assertReplicasNotOwnedByPulumi(t, d)
	if err := waitMessage(ctx, e.mustURL(ctx, t, stagingNamespace), "Hello from staging!", time.Minute); err != nil {
		t.Error(err)
	}
}

// waitAvailable polls until the Deployment has n available replicas: with
// an autoscaler, the HPA controller brings it from 1 to its minimum.
func (e *env) waitAvailable(ctx context.Context, t *testing.T, ns string, n int32) *appsv1.Deployment {
	t.Helper()
	return e.waitDeployment(ctx, t, ns, fmt.Sprintf("had %d available replicas", n), func(d *appsv1.Deployment) bool {
		return d.Status.AvailableReplicas >= n && d.Status.UpdatedReplicas == d.Status.Replicas
	})
}

// waitDeployment polls the Deployment of ns until done holds, failing the
// test with its last status, said to have never what, after rolloutTimeout.
func (e *env) waitDeployment(ctx context.Context, t *testing.T, ns, what string, done func(*appsv1.Deployment) bool) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, rolloutTimeout, true, func(ctx context.Context) (bool, error) {
		d, last = e.deployment(ctx, ns, serviceName)
		return last == nil && done(d), nil
	})
	if err != nil {
		var status appsv1.DeploymentStatus
		if d != nil {
			status = d.Status
		}
		t.Fatalf("%s/%s never %s: %v %+v", ns, serviceName, what, last, status)
	}
	return d
}

// cleanRefreshedPreview waits until the Deployment of ns has settled, then
// requires a refreshed preview of st to propose no change. A refresh reads
// the Deployment's health too: caught mid-rollout, or while the autoscaler
// adds a pod or a busy node lets a readiness probe time out, the provider
// reports it unhealthy and proposes an update, which is the truth at that
// moment and not drift. The autoscaler may add a pod just after the
// Deployment settled, so a preview that proposes only that health update is
// tried again, a bounded number of times, once it has settled again: drift
// would be proposed every time.
func (e *env) cleanRefreshedPreview(ctx context.Context, t *testing.T, st *stack, ns, when string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		e.waitSettled(ctx, t, ns)
		_, err := st.preview(ctx, optpreview.Refresh(), optpreview.ExpectNoChanges())
		if err == nil {
			return
		}
		if attempt == refreshedPreviewAttempts || !onlyHealthUpdate(err) {
			t.Errorf("refreshed preview %s is not clean (attempt %d): %v", when, attempt, err)
			return
		}
		t.Logf("refreshed preview %s read a pod that was not Ready yet (attempt %d): again once settled", when, attempt)
	}
}

// refreshedPreviewAttempts bounds cleanRefreshedPreview's previews.
const refreshedPreviewAttempts = 3

// onlyHealthUpdate tells whether a preview that was expected to change
// nothing proposed a single update, of a resource its refresh read unhealthy.
func onlyHealthUpdate(err error) bool {
	out := err.Error()
	return strings.Contains(out, "Refreshed resource is in an unhealthy state") &&
		strings.Contains(out, "~ 1 to update") && !strings.Contains(out, " to create") && !strings.Contains(out, " to delete") &&
		!strings.Contains(out, " to replace")
}

// waitSettled polls until the Deployment of ns has no rollout in progress
// and every replica it wants is available, as `kubectl rollout status`
// reports it.
func (e *env) waitSettled(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	e.waitDeployment(ctx, t, ns, "settled", func(d *appsv1.Deployment) bool {
		st, want := d.Status, int32(1) // the API's default for an unset spec.replicas
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		return st.ObservedGeneration == d.Generation && st.Replicas == want &&
			st.UpdatedReplicas == want && st.AvailableReplicas == want
	})
}

// assertReplicasNotOwnedByPulumi checks the server-side apply field owners:
// with an HPA, spec.replicas must belong to the autoscaler alone.
func assertReplicasNotOwnedByPulumi(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	for _, mf := range d.ManagedFields {
		if mf.FieldsV1 == nil || !strings.HasPrefix(mf.Manager, "pulumi") {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(mf.FieldsV1.Raw, &fields); err != nil {
			t.Fatal(err)
		}
		if spec, ok := fields["f:spec"].(map[string]any); ok {
			if _, owns := spec["f:replicas"]; owns {
				t.Errorf("field manager %s owns spec.replicas despite the HPA", mf.Manager)
			}
		}
	}
}

// changeHPABounds raises the autoscaler's maximum: an in-place update of
// the HPA alone, never a Deployment replacement.
func (e *env) changeHPABounds(ctx context.Context, t *testing.T, staging *stack) {
	t.Helper()
	staging.set(ctx, t, map[string]string{"maxReplicas": "5"})
	got, err := staging.preview(ctx)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	assertOps(t, got.changed(), ops{typeHPA: apitype.OpUpdate})
	if _, _, err := staging.up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	hpa, err := e.kube.AutoscalingV2().HorizontalPodAutoscalers(stagingNamespace).Get(ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hpa.Spec.MaxReplicas != 5 {
		t.Errorf("HPA maxReplicas = %d, want 5", hpa.Spec.MaxReplicas)
	}
	if _, err := staging.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		t.Errorf("preview after the HPA change is not clean: %v", err)
	}
}

// invalidConfig previews a stack whose config breaks two rules: the error
// names both keys and the cluster gains nothing.
func (e *env) invalidConfig(ctx context.Context, t *testing.T, ref string) {
	t.Helper()
	broken := e.stack(ctx, t, "broken")
	defer func() { _ = broken.stack.Workspace().RemoveStack(ctx, "broken") }()
	broken.set(ctx, t, map[string]string{
		"image": ref, "autoscaling": "true", "minReplicas": "5", "maxReplicas": "2", "memoryLimit": "lots",
	})
	_, err := broken.preview(ctx)
	if err == nil {
		t.Fatal("preview of an invalid config succeeded")
	}
	for _, key := range []string{"microstack:maxReplicas", "microstack:memoryLimit"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("preview error does not name %s:\n%v", key, err)
		}
	}
	if exists, err := e.namespaceExists(ctx, "microstack-broken"); exists || err != nil {
		t.Errorf("namespace microstack-broken exists=%v (%v) after a failed preview", exists, err)
	}
}
