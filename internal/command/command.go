package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// stderrLines is how much of a failed command's stderr its error quotes:
// the end, where the reason usually is.
const stderrLines = 40

// Run runs name with args in dir, with env added to this process's
// environment, and returns its stdout, also when it fails: pulumi prints
// its diagnostics there. stderr, when not nil, receives the command's
// stderr as it comes; otherwise the end of it goes into the error.
func Run(ctx context.Context, dir string, env map[string]string, stderr io.Writer, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &errBuf
	if stderr != nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(errBuf.String(), stderrLines))
	}
	return stdout.String(), nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// RepositoryRoot returns the top of the git checkout that holds dir ("" for
// this process's directory): the tests and the benches run the checkout's
// own scripts and programs, from whatever directory they are started in.
func RepositoryRoot(ctx context.Context, dir string) (string, error) {
	out, err := Run(ctx, dir, nil, nil, "git", "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	return strings.TrimSpace(out), nil
}
