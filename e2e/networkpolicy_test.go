package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/microstack/microstack/internal/probe"
)

// Namespaces of the NetworkPolicy check's client pods: one the dev stack
// admits through allowFromNamespaces, one nobody admits.
const (
	policyAllowedNamespace = "microstack-e2e-allowed"
	policyForeignNamespace = "microstack-e2e-foreign"
	clientPod              = "client"
	typeNetPolicy          = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
)

// Bounds: a refused connection times out after clientTimeout; the
// enforcer admits a newly allowed namespace within enforceTimeout.
const (
	clientTimeout  = 3 * time.Second
	enforceTimeout = 60 * time.Second
)

// networkPolicyEnforced admits one more namespace through
// allowFromNamespaces and checks, with client pods calling the Service,
// that its pods get through while those of a foreign namespace are
// refused, and that the ingress controller still gets through.
func (e *env) networkPolicyEnforced(ctx context.Context, t *testing.T, dev *stack, in ingress, message string) {
	t.Helper()
	for _, ns := range []string{policyAllowedNamespace, policyForeignNamespace} {
		e.clientPodIn(ctx, t, ns)
	}
	err := dev.stack.SetConfigWithOptions(ctx, configNamespace+"allowFromNamespaces[0]", auto.ConfigValue{Value: policyAllowedNamespace},
		&auto.ConfigOptions{Path: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := dev.up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	assertOps(t, got.changed(), ops{typeNetPolicy: apitype.OpUpdate})
	target, err := probe.ClusterIPURL(ctx, e.kube, devNamespace, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{policyAllowedNamespace, policyForeignNamespace} {
		e.waitClientReady(ctx, t, ns)
	}
	start := time.Now()
	var last string
	err = wait.PollUntilContextTimeout(ctx, time.Second, enforceTimeout, true, func(context.Context) (bool, error) {
		var ok bool
		last, ok = fetchFrom(policyAllowedNamespace, target)
		return ok && strings.Contains(last, message), nil
	})
	if err != nil {
		t.Fatalf("a pod in %s, which the policy admits, never got the app's answer within %v: %s", policyAllowedNamespace, enforceTimeout, last)
	}
	t.Logf("a pod in %s got through %.1fs after up", policyAllowedNamespace, time.Since(start).Seconds())
	// The same client command just got through from the allowed namespace,
	// so a failure here is the policy's refusal, not a broken client.
	for attempt := range 2 {
		out, ok := fetchFrom(policyForeignNamespace, target)
		if ok {
			t.Errorf("attempt %d: a pod in %s, which no policy admits, got an answer: %s", attempt+1, policyForeignNamespace, out)
			continue
		}
		t.Logf("attempt %d: a pod in %s was refused: %s", attempt+1, policyForeignNamespace, lastLine(out))
	}
	if err := waitMessageWith(ctx, in.client(), "https://"+ingressHost+"/", message, time.Minute); err != nil {
		t.Errorf("through the ingress controller: %v", err)
	}
}

// clientPodIn creates namespace ns with a pod that idles, to run wget in.
func (e *env) clientPodIn(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	image, err := run(e.root, nil, "hack/images.sh", "ref", "go-builder")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		_ = e.kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	nonRoot, grace := true, int64(0)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: clientPod, Namespace: ns},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: &grace,
			Containers: []corev1.Container{{
				Name: clientPod, Image: strings.TrimSpace(image), Command: []string{"sleep", "600"},
				SecurityContext: &corev1.SecurityContext{RunAsNonRoot: &nonRoot, RunAsUser: ptr(int64(65532))},
			}},
		},
	}
	if _, err := e.kube.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("client pod in %s: %v", ns, err)
	}
}

func (e *env) waitClientReady(ctx context.Context, t *testing.T, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := e.kube.CoreV1().Pods(ns).Get(ctx, clientPod, metav1.GetOptions{})
		return err == nil && probe.PodReady(*p), nil
	})
	if err != nil {
		t.Fatalf("client pod in %s not Ready: %v", ns, err)
	}
}

// fetchFrom sends GET / to the host:port of rawURL from the client pod of
// ns, with busybox nc (its wget crashes in this image), and reports the
// answer and whether there was one.
func fetchFrom(ns, rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err.Error(), false
	}
	script := fmt.Sprintf(`printf 'GET / HTTP/1.0\r\n\r\n' | nc -w %d %s %s`, int(clientTimeout.Seconds()), u.Hostname(), u.Port())
	out, err := run(".", nil, "kubectl", "--kubeconfig", os.Getenv(envKubeconfig), "exec", "-n", ns, clientPod, "--",
		"sh", "-c", script)
	if err != nil || !strings.HasPrefix(out, "HTTP/1.") {
		return fmt.Sprintf("%q %v", out, err), false
	}
	return out, true
}
