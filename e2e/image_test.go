package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var digestRef = regexp.MustCompile(`^[^@\s]+/microstack@sha256:[a-f0-9]{64}$`)

// buildImage builds the repository copy's Dockerfile with the local Docker
// engine, pushes it to the local registry and returns the digest reference.
// The pulumi-docker provider cannot run here, so the program deploys this
// reference through its existing-image setting.
func (e *env) buildImage(t *testing.T, tag string) string {
	t.Helper()
	repo, err := repositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(repo, nil, "hack/images.sh", "app", "--context", e.root, tag)
	if err != nil {
		t.Fatalf("building the image: %v", err)
	}
	ref := strings.TrimSpace(out)
	if i := strings.LastIndex(ref, "\n"); i >= 0 {
		ref = ref[i+1:]
	}
	if !digestRef.MatchString(ref) {
		t.Fatalf("hack/images.sh printed %q, want REGISTRY/microstack@sha256:DIGEST", ref)
	}
	return ref
}

// editSource rewrites one file of the repository copy.
func (e *env) editSource(t *testing.T, rel, old, replacement string) {
	t.Helper()
	path := filepath.Join(e.root, rel)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", rel, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, replacement, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
