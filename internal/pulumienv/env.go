package pulumienv

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/microstack/microstack/internal/command"
)

// envState names the state directory the shell library keeps its backend,
// home and stack copies in.
const envState = "MICROSTACK_PULUMI_STATE"

// Env is a local Pulumi environment.
type Env struct {
	// Vars are the variables to run pulumi (or the Automation API) with.
	Vars map[string]string
	// State is the directory of the backend (State/pulumi) and the CLI's
	// home (State/pulumi-home).
	State string
}

// Backend is the file backend's directory.
func (e Env) Backend() string { return filepath.Join(e.State, "pulumi") }

// New sets up the environment with its state in state (the repository's
// hack/pulumi-env.sh creates the directories and installs the plugins) and
// returns it.
func New(ctx context.Context, repo, state string) (Env, error) {
	out, err := command.Run(ctx, repo, map[string]string{envState: state}, nil, filepath.Join(repo, "hack", "pulumi-env.sh"), "env")
	if err != nil {
		return Env{}, fmt.Errorf("the local Pulumi environment: %w", err)
	}
	return Env{Vars: parse(out), State: state}, nil
}

// parse reads NUL-separated NAME=VALUE pairs.
func parse(out string) map[string]string {
	vars := map[string]string{}
	for kv := range strings.SplitSeq(out, "\x00") {
		if name, value, ok := strings.Cut(kv, "="); ok && name != "" {
			vars[name] = value
		}
	}
	return vars
}
