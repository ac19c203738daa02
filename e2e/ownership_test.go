package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// What another team keeps in the cluster.
const (
	foreignNamespace = "microstack-foreign"
	foreignConfigMap = "other-team"
	instanceLabel    = "app.kubernetes.io/instance"
)

// foreignObjects proves that a stack never takes over what it did not
// create: a namespace holding another team's ConfigMap is refused at
// preview, deployed into when createNamespace is false, and survives the
// stack's destroy with its ConfigMap; a copy of a stack file refuses the
// original stack's namespace and objects.
func (e *env) foreignObjects(ctx context.Context, t *testing.T, original *stack, ref string) {
	t.Helper()
	e.createForeignNamespace(ctx, t)
	st := e.stack(ctx, t, "foreign")
	defer func() { _ = st.stack.Workspace().RemoveStack(context.Background(), "foreign") }()
	st.set(ctx, t, dayTwoSettings(foreignNamespace, ref))
	st.set(ctx, t, map[string]string{"replicas": "1"})

	_, err := st.preview(ctx)
	assertRefused(t, err, "microstack:namespace:", "createNamespace false")
	e.assertForeignNamespaceIntact(ctx, t)

	st.set(ctx, t, map[string]string{"createNamespace": "false"})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up into the existing namespace: %v", err)
	}
	if err := st.destroy(ctx); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	e.assertForeignNamespaceIntact(ctx, t)
	if _, err := e.deployment(ctx, foreignNamespace, serviceName); err == nil {
		t.Errorf("the stack's Deployment outlived its destroy")
	}
	t.Logf("namespace %s and its ConfigMap %s survived up and destroy", foreignNamespace, foreignConfigMap)

	before, err := e.deployment(ctx, dayTwoNamespace, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	copied := e.stack(ctx, t, "daytwo-copy")
	defer func() { _ = copied.stack.Workspace().RemoveStack(context.Background(), "daytwo-copy") }()
	copied.set(ctx, t, dayTwoSettings(dayTwoNamespace, ref))
	_, err = copied.preview(ctx)
	assertRefused(t, err, "microstack:namespace:", "microstack-daytwo")
	copied.set(ctx, t, map[string]string{"createNamespace": "false"})
	_, err = copied.preview(ctx)
	assertRefused(t, err, "microstack:name:", "Deployment "+dayTwoNamespace+"/"+serviceName)
	after, err := e.deployment(ctx, dayTwoNamespace, serviceName)
	if err != nil || after.Generation != before.Generation {
		t.Errorf("the original stack's Deployment changed under a copy of its stack file (%v)", err)
	}
}

func (e *env) createForeignNamespace(ctx context.Context, t *testing.T) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: foreignNamespace, Labels: map[string]string{"team": "other"}}}
	if _, err := e.kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.kube.CoreV1().Namespaces().Delete(context.Background(), foreignNamespace, metav1.DeleteOptions{})
	})
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: foreignConfigMap}, Data: map[string]string{"owner": "other team"}}
	if _, err := e.kube.CoreV1().ConfigMaps(foreignNamespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) assertForeignNamespaceIntact(ctx context.Context, t *testing.T) {
	t.Helper()
	ns, err := e.kube.CoreV1().Namespaces().Get(ctx, foreignNamespace, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace %s: %v", foreignNamespace, err)
	}
	if ns.DeletionTimestamp != nil || ns.Labels[instanceLabel] != "" || ns.Labels["team"] != "other" {
		t.Errorf("namespace %s was changed: labels %v, deleting %v", foreignNamespace, ns.Labels, ns.DeletionTimestamp != nil)
	}
	if !e.namespaceHolds(ctx, foreignNamespace, foreignConfigMap) {
		t.Errorf("the other team's ConfigMap %s/%s is gone", foreignNamespace, foreignConfigMap)
	}
}

// assertRefused checks that a preview or up failed with every one of wants
// in its error.
func assertRefused(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded, want a refusal naming %q", wants)
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}
}

// elsewhereContext is a second context of the test kubeconfig, made
// current: a cluster nobody listens for. A stack that followed the current
// context would fail against it.
const elsewhereContext = "elsewhere"

// TestOwnClusterAndProtect shows that a stack reaches only the cluster of
// its kubeContext, and that protect keeps destroy from deleting anything.
func TestOwnClusterAndProtect(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.ownClusterAndProtect(context.Background(), t, e.buildImage(t, "daytwo"))
}

// ownClusterAndProtect deploys a protected stack with a kubeconfig whose
// current context is another cluster: it reaches only its own context; a
// stack naming the other context, or none, is refused at preview; destroy
// of the protected stack is refused and deletes nothing until protect is
// lifted with config and `pulumi up`.
func (e *env) ownClusterAndProtect(ctx context.Context, t *testing.T, ref string) {
	t.Helper()
	kubeconfig := e.twoContextKubeconfig(t)
	env := map[string]string{envKubeconfig: kubeconfig}
	const ns = "microstack-guarded"
	st := e.stackWithEnv(ctx, t, "guarded", env)
	t.Cleanup(func() {
		st.set(context.Background(), t, map[string]string{"protect": "false"})
		_, _, _ = st.up(context.Background())
		_ = st.destroy(context.Background())
	})
	st.set(ctx, t, dayTwoSettings(ns, ref))
	st.set(ctx, t, map[string]string{"replicas": "1", "protect": "true"})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up with %s current: %v", elsewhereContext, err)
	}
	e.waitAvailable(ctx, t, ns, 1)

	astray := e.stackWithEnv(ctx, t, "astray", env)
	defer func() { _ = astray.stack.Workspace().RemoveStack(context.Background(), "astray") }()
	astray.set(ctx, t, dayTwoSettings("microstack-astray", ref))
	astray.set(ctx, t, map[string]string{"kubeContext": elsewhereContext})
	start := time.Now()
	_, err := astray.preview(ctx)
	assertRefused(t, err, "microstack-astray")
	t.Logf("a stack naming the unreachable context was refused at preview in %.1fs", time.Since(start).Seconds())
	astray.unset(ctx, t, "kubeContext")
	_, err = astray.preview(ctx)
	assertRefused(t, err, "microstack:kubeContext:")

	before := e.objectsOf(ctx, t, ns)
	err = st.destroy(ctx)
	assertRefused(t, err, "protected")
	if after := e.objectsOf(ctx, t, ns); len(difference(before, after)) > 0 {
		t.Errorf("a refused destroy deleted %v", difference(before, after))
	}
	t.Logf("destroy of the protected stack was refused; all %d objects of %s are still there", len(before), ns)

	st.set(ctx, t, map[string]string{"protect": "false"})
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up lifting protect: %v", err)
	}
	if err := st.destroy(ctx); err != nil {
		t.Fatalf("destroy after lifting protect: %v", err)
	}
	if err := e.waitNamespaceGone(ctx, ns, 2*time.Minute); err != nil {
		t.Error(err)
	}
}

// twoContextKubeconfig writes the local cluster's kubeconfig with a second
// context, elsewhereContext, made current.
func (e *env) twoContextKubeconfig(t *testing.T) string {
	t.Helper()
	raw, err := clientcmd.LoadFromFile(os.Getenv(envKubeconfig))
	if err != nil {
		t.Fatal(err)
	}
	local, ok := raw.Contexts[localContext]
	if !ok {
		t.Fatalf("the local kubeconfig has no context %s", localContext)
	}
	cluster := clientcmdapi.NewCluster()
	cluster.Server = "https://127.0.0.1:9" // discard: nothing answers
	cluster.InsecureSkipTLSVerify = true
	raw.Clusters[elsewhereContext] = cluster
	other := clientcmdapi.NewContext()
	other.Cluster, other.AuthInfo = elsewhereContext, local.AuthInfo
	raw.Contexts[elsewhereContext] = other
	raw.CurrentContext = elsewhereContext
	path := filepath.Join(e.work, "two-contexts.kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// namespaceHolds reports whether ns holds a ConfigMap named name.
func (e *env) namespaceHolds(ctx context.Context, ns, name string) bool {
	_, err := e.kube.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	return err == nil
}
