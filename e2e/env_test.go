package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/microstack/microstack/internal/command"
	"github.com/microstack/microstack/internal/pulumienv"
)

// Variables the harness reads.
const (
	envEnable     = "MICROSTACK_E2E"
	envKubeconfig = "KUBECONFIG"
	envRegistry   = "MICROSTACK_REGISTRY"
)

// env is what every end-to-end test shares: a private copy of the
// repository, a Pulumi home and file backend of its own, and clients of the
// local cluster.
type env struct {
	root      string // the copy of the repository the stacks run from
	work      string // the test's directory: root, and the Pulumi state beside it
	pulumiEnv map[string]string
	backend   string // the file state backend's directory
	registry  string
	kube      kubernetes.Interface
	dynamic   dynamic.Interface
}

// setup returns a fresh environment, skipping the test when end-to-end
// runs are not enabled.
func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv(envEnable) != "1" {
		t.Skipf("end-to-end tests need the local cluster: run hack/test.sh, which starts it and sets %s=1", envEnable)
	}
	e, err := newEnv()
	if err != nil {
		t.Fatalf("end-to-end environment: %v", err)
	}
	// Registered first, so it runs last, after the stacks' own clean-ups.
	t.Cleanup(func() { _ = os.RemoveAll(e.work) })
	return e
}

func newEnv() (*env, error) {
	repo, err := repositoryRoot()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "microstack-e2e-")
	if err != nil {
		return nil, err
	}
	e := &env{root: filepath.Join(work, "src"), work: work, registry: os.Getenv(envRegistry)}
	if e.registry == "" {
		return nil, fmt.Errorf("%s is not set: source hack/cluster.sh env", envRegistry)
	}
	if err := copyTracked(repo, e.root); err != nil {
		return nil, err
	}
	if err := e.initPulumi(repo); err != nil {
		return nil, err
	}
	if err := e.prebuildProgram(); err != nil {
		return nil, err
	}
	if err := e.initKube(); err != nil {
		return nil, err
	}
	return e, nil
}

// initPulumi gives the tests the local Pulumi environment of
// hack/lib/pulumi-env.sh with its state in the test's directory (backend,
// home, plugins), so that the repository's scripts can run on the tests'
// stacks too.
func (e *env) initPulumi(repo string) error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	p, err := pulumienv.New(ctx, repo, e.work)
	e.pulumiEnv, e.backend = p.Vars, p.Backend()
	return err
}

func (e *env) initKube() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv(envKubeconfig))
	if err != nil {
		return fmt.Errorf("loading %s: %w", envKubeconfig, err)
	}
	if e.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	e.dynamic, err = dynamic.NewForConfig(cfg)
	return err
}

// repositoryRoot is the checkout the tests run from.
func repositoryRoot() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	return command.RepositoryRoot(ctx, ".")
}

// copyTracked copies the files git tracks (and untracked, unignored ones,
// so uncommitted work is tested too) from src to dst.
func copyTracked(src, dst string) error {
	out, err := run(src, nil, "git", "ls-files", "--cached", "--others", "--exclude-standard", "-z")
	if err != nil {
		return err
	}
	for _, rel := range strings.Split(strings.TrimRight(out, "\x00"), "\x00") {
		if err := copyFile(filepath.Join(src, rel), filepath.Join(dst, rel)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	info, err := os.Stat(src)
	if os.IsNotExist(err) {
		return nil // deleted in the working tree
	}
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, info.Mode().Perm())
}

// commandTimeout bounds each command the tests run.
const commandTimeout = 10 * time.Minute

// run runs a command in dir with extra environment and returns its stdout
// (see command.Run).
func run(dir string, extraEnv map[string]string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	return command.Run(ctx, dir, extraEnv, nil, name, args...)
}
