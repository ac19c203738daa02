package command

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out, err := Run(context.Background(), t.TempDir(), map[string]string{"GREETING": "hello"},
		nil, "sh", "-c", `printf '%s %s\n' "$GREETING" "$(basename "$PWD")"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "hello ") {
		t.Errorf("stdout = %q, want the variable and the directory", out)
	}
}

func TestRunFailure(t *testing.T) {
	script := `echo diagnostics; for i in $(seq 1 50); do echo "line $i" >&2; done; exit 3`
	out, err := Run(context.Background(), "", nil, nil, "sh", "-c", script)
	if err == nil {
		t.Fatal("a failing command returned no error")
	}
	if out != "diagnostics\n" {
		t.Errorf("stdout of the failed command = %q, want it kept", out)
	}
	msg := err.Error()
	if !strings.Contains(msg, "exit status 3") || !strings.Contains(msg, "line 50") || strings.Contains(msg, "line 10\n") {
		t.Errorf("error = %q, want the status and the last %d lines of stderr only", msg, stderrLines)
	}
}

func TestRunStreamsStderr(t *testing.T) {
	var stderr bytes.Buffer
	_, err := Run(context.Background(), "", map[string]string{"MSG": "progress"}, &stderr, "sh", "-c", `echo "$MSG" >&2; exit 1`)
	if err == nil || strings.Contains(err.Error(), "progress") {
		t.Errorf("error = %v, want one without the streamed stderr", err)
	}
	if got := stderr.String(); got != "progress\n" {
		t.Errorf("streamed stderr = %q", got)
	}
}

func TestRepositoryRoot(t *testing.T) {
	ctx := context.Background()
	repo := t.TempDir()
	if _, err := Run(ctx, repo, nil, nil, "git", "init", "-q"); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := RepositoryRoot(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	// The temporary directory may be reached through a symlink that git
	// resolves.
	want, _ := filepath.EvalSymlinks(repo)
	if got != want && got != repo {
		t.Errorf("RepositoryRoot(%s) = %q, want %q", sub, got, want)
	}
	if _, err := RepositoryRoot(ctx, t.TempDir()); err == nil || !strings.Contains(err.Error(), "find the repository") {
		t.Errorf("RepositoryRoot outside a checkout: error = %v, want one naming the search", err)
	}
}
