package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Variables hack/cluster.sh exports for its registry that needs a login.
const (
	envPrivateRegistry         = "MICROSTACK_PRIVATE_REGISTRY"
	envPrivateRegistryUser     = "MICROSTACK_PRIVATE_REGISTRY_USER"
	envPrivateRegistryPassword = "MICROSTACK_PRIVATE_REGISTRY_PASSWORD_FILE"
)

const privateNamespace = "microstack-private"

// TestPrivateRegistry deploys from the registry that needs a login.
func TestPrivateRegistry(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.privateRegistry(context.Background(), t, e.buildImage(t, "daytwo"))
}

// privateRegistry copies the app image to the registry that needs a login
// and deploys it from there: without credentials `pulumi up` fails fast
// naming the pull error; with the stack's secret credentials the pods pull
// through their ServiceAccount's pull secret and get Ready, and the
// password is in plain text nowhere.
func (e *env) privateRegistry(ctx context.Context, t *testing.T, ref string) {
	t.Helper()
	registry, user := os.Getenv(envPrivateRegistry), os.Getenv(envPrivateRegistryUser)
	password, err := os.ReadFile(os.Getenv(envPrivateRegistryPassword))
	if registry == "" || user == "" || err != nil {
		t.Fatalf("the private registry is not described (%s, %s, %s: %v): source hack/cluster.sh env",
			envPrivateRegistry, envPrivateRegistryUser, envPrivateRegistryPassword, err)
	}
	secret := strings.TrimSpace(string(password))
	// A repository of this run's own: the node's containerd keeps the
	// images it pulled across cluster restarts, and a pod whose image name
	// it already holds starts without a pull (IfNotPresent), which would
	// leave the login untested.
	repository := fmt.Sprintf("%s/microstack-%s", registry, strconv.FormatInt(time.Now().UnixNano(), 36))
	image := e.mirror(t, ref, repository+":private", user, secret)

	st := e.stack(ctx, t, "private")
	t.Cleanup(func() {
		_ = st.destroy(context.Background())
		_ = st.stack.Workspace().RemoveStack(context.Background(), "private")
	})
	st.set(ctx, t, dayTwoSettings(privateNamespace, image))
	st.set(ctx, t, map[string]string{"replicas": "1"})
	start := time.Now()
	_, _, err = st.up(ctx)
	t.Logf("without credentials: up failed after %.1fs: %s", time.Since(start).Seconds(), reasonLines(errText(err)))
	if err == nil || !containsAny(err.Error(), "ErrImagePull", "ImagePullBackOff") {
		t.Fatalf("up without credentials: %v, want a failure naming the pull error", err)
	}
	if time.Since(start) > failBound {
		t.Errorf("up without credentials took %v to fail, want at most %v", time.Since(start), failBound)
	}

	st.set(ctx, t, map[string]string{"registryUsername": user})
	if err := st.stack.SetConfig(ctx, configNamespace+"registryPassword", auto.ConfigValue{Value: secret, Secret: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.up(ctx); err != nil {
		t.Fatalf("up with credentials: %v", err)
	}
	e.assertLiveDeployment(ctx, t, privateNamespace, image, 1)
	e.assertPullSecret(ctx, t, secret)
	e.assertNowherePlain(ctx, t, st, secret)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// mirror pushes ref to the registry as dst with the registry's login.
func (e *env) mirror(t *testing.T, ref, dst, user, password string) string {
	t.Helper()
	repo, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(repo, map[string]string{"REGISTRY_USERNAME": user, "REGISTRY_PASSWORD": password},
		"hack/images.sh", "mirror", ref, dst)
	if err != nil {
		t.Fatalf("mirroring %s to %s: %v", ref, dst, err)
	}
	return lastLine(out)
}

// assertPullSecret checks that the pods' ServiceAccount carries a
// dockerconfigjson Secret holding the login.
func (e *env) assertPullSecret(ctx context.Context, t *testing.T, password string) {
	t.Helper()
	sa, err := e.kube.CoreV1().ServiceAccounts(privateNamespace).Get(ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken || len(sa.ImagePullSecrets) != 1 {
		t.Fatalf("ServiceAccount = automount %v, pull secrets %v; want no token and one pull secret",
			sa.AutomountServiceAccountToken, sa.ImagePullSecrets)
	}
	s, err := e.kube.CoreV1().Secrets(privateNamespace).Get(ctx, sa.ImagePullSecrets[0].Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != corev1.SecretTypeDockerConfigJson || !strings.Contains(string(s.Data[corev1.DockerConfigJsonKey]), password) {
		t.Errorf("pull secret %s is of type %s and does not hold the login", s.Name, s.Type)
	}
}

// assertNowherePlain checks the stack's state and file and the namespace's
// ConfigMaps for the password in plain text.
func (e *env) assertNowherePlain(ctx context.Context, t *testing.T, st *stack, password string) {
	t.Helper()
	dep, err := st.stack.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(dep.Deployment), password) {
		t.Error("the stack's state holds the registry password in plain text")
	}
	file, err := os.ReadFile(e.root + "/Pulumi.private.yaml")
	if err != nil || strings.Contains(string(file), password) {
		t.Errorf("Pulumi.private.yaml holds the password in plain text (or cannot be read: %v)", err)
	}
	cms, err := e.kube.CoreV1().ConfigMaps(privateNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range cms.Items {
		for k, v := range cm.Data {
			if strings.Contains(v, password) {
				t.Errorf("ConfigMap %s key %s holds the registry password", cm.Name, k)
			}
		}
	}
}
