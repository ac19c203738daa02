package image

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/microstack/microstack/infra/stackconfig"
)

// Dockerfile build arguments that say what the image is.
const (
	argVersion = "VERSION"
	argCommit  = "COMMIT"
)

// gitTimeout bounds each git command: the history is local.
const gitTimeout = 30 * time.Second

// stamp is what a built image says it is.
type stamp struct {
	version, commit string
}

// git runs a git command in a directory and returns its trimmed output.
type git func(dir string, args ...string) (string, error)

// readStamp takes the stack's imageVersion and imageCommit, and reads what
// they leave out from the checkout's history: the commit is the last one
// that changed the image's inputs, so a commit elsewhere (the Pulumi
// program, the docs) stamps, builds and rolls out nothing new; the version
// is `git describe` of it, marked -dirty while those inputs have
// uncommitted changes.
func readStamp(ctx buildContext, img stackconfig.Image, run git) (stamp, error) {
	s := stamp{version: img.Version, commit: img.Commit}
	if s.version != "" && s.commit != "" {
		return s, nil
	}
	inputs, err := ctx.inputs()
	if err != nil {
		return stamp{}, err
	}
	commit, err := run(ctx.root, append([]string{"log", "-1", "--format=%H", "--"}, inputs...)...)
	if err != nil || commit == "" {
		return stamp{}, fmt.Errorf("%s, %s: %s has no git history to stamp the image with (%v): set both",
			stackconfig.FullKey(stackconfig.KeyImageVersion), stackconfig.FullKey(stackconfig.KeyImageCommit), ctx.root, err)
	}
	if s.commit == "" {
		s.commit = commit
	}
	if s.version == "" {
		if s.version, err = run(ctx.root, "describe", "--tags", "--always", "--abbrev=12", commit); err != nil {
			return stamp{}, fmt.Errorf("naming the image's version: %w", err)
		}
		changed, err := run(ctx.root, append([]string{"status", "--porcelain", "--"}, inputs...)...)
		if err != nil {
			return stamp{}, fmt.Errorf("naming the image's version: %w", err)
		}
		if changed != "" {
			s.version += "-dirty"
		}
	}
	return s, nil
}

// runGit is git as installed on the machine.
func runGit(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
