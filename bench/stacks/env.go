package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/microstack/microstack/internal/command"
	"github.com/microstack/microstack/internal/pulumienv"
)

// kubernetesSDK is the module of the program's Kubernetes objects; the
// provider plugin is installed at its version.
const kubernetesSDK = "github.com/pulumi/pulumi-kubernetes/sdk/v4"

// sdkVersion is the version of module this binary is built with, as the
// plugin names it (without the v), or "unknown".
func sdkVersion(module string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == module {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return "unknown"
}

// Names of what the bench creates.
const (
	projectName = "microstack-bench"
	imageTag    = "bench" // hack/images.sh app pushes localhost:5001/microstack:bench
)

// bench holds what every measurement shares: a private Pulumi home and
// backend, a client of the cluster, the image and where progress goes.
type bench struct {
	opts      options
	root      string // the repository, for hack/*.sh
	dir       string // temporary: Pulumi home, backend and workspace
	pulumiEnv map[string]string
	pulumi    string // the CLI's version
	cluster   string // the API server's URL
	kube      kubernetes.Interface
	image     string
	progress  io.Writer
}

// newBench checks that the cluster and the tools are there, installs the
// provider plugin into a private Pulumi home and settles the image.
func newBench(ctx context.Context, o options, progress io.Writer) (*bench, error) {
	b := &bench{opts: o, image: o.image, progress: progress}
	var err error
	if b.root, err = command.RepositoryRoot(ctx, ""); err != nil {
		return nil, err
	}
	if err := b.initKube(ctx); err != nil {
		return nil, err
	}
	if b.dir, err = os.MkdirTemp("", "microstack-stacks-"); err != nil {
		return nil, fmt.Errorf("create work directory: %w", err)
	}
	if err := b.initPulumi(ctx); err != nil {
		b.close()
		return nil, err
	}
	if b.image == "" {
		if b.image, err = b.buildImage(ctx); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

// close removes the private Pulumi home and backend.
func (b *bench) close() { os.RemoveAll(b.dir) }

// initKube connects to the cluster KUBECONFIG names, as the provider does,
// and makes sure it answers.
func (b *bench) initKube(ctx context.Context) error {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return fmt.Errorf("loading the kubeconfig (run eval \"$(hack/cluster.sh env)\" first): %w", err)
	}
	if b.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return fmt.Errorf("cluster client: %w", err)
	}
	b.cluster = cfg.Host
	if _, err := b.kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx); err != nil {
		return fmt.Errorf("the cluster at %s is not ready (hack/cluster.sh up starts the local one): %w", cfg.Host, err)
	}
	return nil
}

// initPulumi gives the bench the local Pulumi environment of
// hack/lib/pulumi-env.sh with its state in the bench's own directory, the
// provider plugins built by hack/tools.sh installed: nothing is
// downloaded, and the user's own state is never touched.
func (b *bench) initPulumi(ctx context.Context) error {
	if err := os.MkdirAll(b.workDir(), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", b.workDir(), err)
	}
	p, err := pulumienv.New(ctx, b.root, b.dir)
	if err != nil {
		return err
	}
	b.pulumiEnv = p.Vars
	version, err := command.Run(ctx, b.root, b.pulumiEnv, nil, "pulumi", "version")
	if err != nil {
		return err
	}
	b.pulumi = strings.TrimSpace(version)
	return nil
}

// workDir holds the inline program's Pulumi.yaml and stack files.
func (b *bench) workDir() string { return filepath.Join(b.dir, "work") }

// workspaceOptions are those of every stack.
func (b *bench) workspaceOptions() []auto.LocalWorkspaceOption {
	return []auto.LocalWorkspaceOption{auto.EnvVars(b.pulumiEnv), auto.WorkDir(b.workDir())}
}

// buildImage builds the service's image with the local Docker engine and
// pushes it to the local registry: the pulumi-docker plugin is not
// available here, so the stacks always deploy an existing image by digest.
func (b *bench) buildImage(ctx context.Context) (string, error) {
	b.logf("no -image given: building it with hack/images.sh app %s", imageTag)
	out, err := command.Run(ctx, b.root, nil, b.progress, "hack/images.sh", "app", imageTag)
	if err != nil {
		return "", fmt.Errorf("building the image: %w", err)
	}
	ref := strings.TrimSpace(out)
	b.logf("image %s", ref)
	return ref, nil
}

// logf writes a progress line.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "==> "+format+"\n", args...)
}
