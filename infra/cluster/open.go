package cluster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/microstack/microstack/infra/stackconfig"
)

// requestTimeout bounds each preflight request: an unreachable cluster
// fails the preview quickly instead of hanging it.
const requestTimeout = 15 * time.Second

// Opener connects to the cluster a stack names.
type Opener func(stackconfig.Cluster) (kubernetes.Interface, error)

// Open loads the stack's kubeconfig (its own, or $KUBECONFIG and
// ~/.kube/config) and connects through the stack's context. A kubeconfig
// that does not parse, or lacks the context, is a FieldError naming the key.
func Open(c stackconfig.Cluster) (kubernetes.Interface, error) {
	raw, err := loadKubeconfig(c)
	if err != nil {
		return nil, err
	}
	if err := CheckContext(raw, c.Context); err != nil {
		return nil, err
	}
	rest, err := clientcmd.NewNonInteractiveClientConfig(*raw, c.Context, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, contextError(fmt.Sprintf("context %q cannot be used: %v", c.Context, err), "fix the context in the kubeconfig")
	}
	rest.Timeout = requestTimeout
	return kubernetes.NewForConfig(rest)
}

func loadKubeconfig(c stackconfig.Cluster) (*clientcmdapi.Config, error) {
	if c.Kubeconfig != "" {
		raw, err := clientcmd.Load([]byte(c.Kubeconfig))
		if err != nil {
			return nil, &stackconfig.FieldError{Key: stackconfig.KeyKubeconfig,
				Problem: fmt.Sprintf("is not a kubeconfig: %v", err),
				Fix:     "pulumi config set --secret kubeconfig < a kubeconfig file"}
		}
		return raw, nil
	}
	raw, err := clientcmd.NewDefaultClientConfigLoadingRules().Load()
	if err != nil {
		return nil, contextError(fmt.Sprintf("the kubeconfig ($KUBECONFIG or ~/.kube/config) does not load: %v", err),
			"fix the kubeconfig, or pulumi config set --secret kubeconfig < a kubeconfig file")
	}
	return raw, nil
}

// CheckContext reports, as a FieldError on kubeContext, a context that the
// kubeconfig does not hold, listing those it does.
func CheckContext(raw *clientcmdapi.Config, context string) error {
	if _, ok := raw.Contexts[context]; ok {
		return nil
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return contextError(fmt.Sprintf("%q is not a context of the kubeconfig, which has none", context),
			"point KUBECONFIG at the cluster's kubeconfig, or pulumi config set --secret kubeconfig < a kubeconfig file")
	}
	return contextError(fmt.Sprintf("%q is not a context of the kubeconfig", context),
		"pulumi config set kubeContext <one of: "+strings.Join(names, ", ")+">")
}

func contextError(problem, fix string) error {
	return &stackconfig.FieldError{Key: stackconfig.KeyKubeContext, Problem: problem, Fix: fix}
}
