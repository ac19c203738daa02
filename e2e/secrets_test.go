package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	typeSecret     = "kubernetes:core/v1:Secret"
	secretEnvName  = "API_TOKEN"
	secretEnvValue = "secretEnv." + secretEnvName
)

// secretStaysSecret deploys a secret config value and looks for a plain
// copy of it everywhere but the Kubernetes Secret meant to hold it: the
// state as `pulumi stack export` prints it, every file of the state backend
// (checkpoints, history, backups), the stack file and every ConfigMap of
// the cluster.
func (e *env) secretStaysSecret(ctx context.Context, t *testing.T, dev *stack) {
	t.Helper()
	value := "token-" + rand.Text()
	err := dev.stack.SetConfigWithOptions(ctx, configNamespace+secretEnvValue,
		auto.ConfigValue{Value: value, Secret: true}, &auto.ConfigOptions{Path: true})
	if err != nil {
		t.Fatalf("config set --secret --path %s: %v", secretEnvValue, err)
	}
	got, _, err := dev.up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	assertOps(t, got.changed(), ops{typeSecret: apitype.OpCreate, typeDeployment: apitype.OpUpdate})
	e.assertSecretDelivered(ctx, t, devNamespace, value)

	// Not dev.stack.Export: the Automation API exports with --show-secrets.
	exported, err := run(e.root, e.pulumiEnv, "pulumi", "stack", "export", "--stack", dev.name)
	if err != nil {
		t.Fatal(err)
	}
	assertNoCopy(t, "pulumi stack export", []byte(exported), value)
	files := e.assertNoCopyInBackend(t, value)
	stackFile, err := os.ReadFile(filepath.Join(e.root, "Pulumi."+dev.name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	assertNoCopy(t, "the stack file", stackFile, value)
	cms, err := e.kube.CoreV1().ConfigMaps(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cm := range cms.Items {
		b, err := json.Marshal(cm)
		if err != nil {
			t.Fatal(err)
		}
		assertNoCopy(t, "ConfigMap "+cm.Namespace+"/"+cm.Name, b, value)
	}
	t.Logf("no plain copy of the secret in the exported state (%d bytes), %d backend files, the stack file and %d ConfigMaps",
		len(exported), files, len(cms.Items))
}

// assertSecretDelivered checks that the Secret the pods read holds value,
// so that its absence elsewhere means something.
func (e *env) assertSecretDelivered(ctx context.Context, t *testing.T, ns, value string) {
	t.Helper()
	d, err := e.deployment(ctx, ns, serviceName)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range d.Spec.Template.Spec.Containers[0].EnvFrom {
		if src.SecretRef == nil {
			continue
		}
		s, err := e.kube.CoreV1().Secrets(ns).Get(ctx, src.SecretRef.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if string(s.Data[secretEnvName]) != value {
			t.Errorf("Secret %s holds %s = %q, want the config value", s.Name, secretEnvName, s.Data[secretEnvName])
		}
		return
	}
	t.Errorf("the pods of %s/%s read no Secret", ns, serviceName)
}

// assertNoCopyInBackend looks for value in every file of the tests' state
// backend and returns how many files it read.
func (e *env) assertNoCopyInBackend(t *testing.T, value string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(e.backend, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".gz") {
			if b, err = gunzip(b); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		n++
		assertNoCopy(t, path, b, value)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// assertNoCopy fails if b holds value as plain text or base64.
func assertNoCopy(t *testing.T, where string, b []byte, value string) {
	t.Helper()
	for _, form := range []string{value, base64.StdEncoding.EncodeToString([]byte(value))} {
		if strings.Contains(string(b), form) {
			t.Errorf("%s holds the secret value in plain text (%q)", where, form)
		}
	}
}
