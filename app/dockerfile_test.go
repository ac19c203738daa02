package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// repoRoot is where the Dockerfile and go.mod live, relative to this
// package's directory, which is where go test runs it.
const repoRoot = ".."

// TestServiceModFilesAreCurrent keeps app/service.mod and app/service.sum,
// which the image is built from, equal to what hack/service-mod.sh makes of
// the root go.mod and go.sum now: a module the service gained fails the
// image build (its build step runs with GOPROXY=off), a version that moved
// on would build another binary than `go build ./app`.
func TestServiceModFilesAreCurrent(t *testing.T) {
	goAndDockerfile(t)
	dir := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(repoRoot, "hack", "service-mod.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/service-mod.sh: %v\n%s", err, out)
	}
	for _, name := range []string{"service.mod", "service.sum"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("app/%s is stale: run hack/service-mod.sh. It should read:\n%s", name, want)
		}
	}
}

// instructions splits a Dockerfile into instructions, joining continued
// lines and dropping comments and blank lines.
func instructions(dockerfile string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(dockerfile, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur.Len() == 0) {
			continue
		}
		if body, ok := strings.CutSuffix(trimmed, `\`); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// TestDockerfileCopiesEveryServicePackage checks that the build context
// and the build stage hold the directory of every package of this module
// the service imports: one left out fails the image build, not `go build ./app`.
func TestDockerfileCopiesEveryServicePackage(t *testing.T) {
	goBin, dockerfile := goAndDockerfile(t)
	var copied []string
	for _, instr := range instructions(dockerfile) {
		if fields := strings.Fields(instr); len(fields) == 3 && strings.EqualFold(fields[0], "COPY") {
			copied = append(copied, strings.TrimPrefix(fields[2], "./"))
		}
	}
	dirs := goList(t, goBin, "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", "./app/...")
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatalf("read .dockerignore: %v", err)
	}
	// .dockerignore leaves everything out but what it re-includes with "!".
	var included []string
	for _, line := range strings.Split(string(ignore), "\n") {
		if dir, ok := strings.CutPrefix(strings.TrimSpace(line), "!"); ok {
			included = append(included, dir)
		}
	}
	under := func(rel string, dirs []string) bool {
		return slices.ContainsFunc(dirs, func(d string) bool { return strings.HasPrefix(rel+"/", d) })
	}
	for _, dir := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		if !under(rel, copied) {
			t.Errorf("the service imports ./%s, which no COPY of the Dockerfile brings in (COPY %v)", rel, copied)
		}
		if !under(rel, included) {
			t.Errorf("the service imports ./%s, which .dockerignore keeps out of the build context", rel)
		}
	}
}

// goAndDockerfile returns the go command and the Dockerfile's text,
// skipping the test when there is no go command to list packages with.
func goAndDockerfile(t *testing.T) (goBin, dockerfile string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so the service's packages cannot be listed")
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	return goBin, string(b)
}

// goList runs `go list ARGS` in the repository as built for the image
// (Linux without cgo, whatever the host is) and returns its words.
func goList(t *testing.T, goBin string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goBin, append([]string{"list"}, args...)...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.Fields(string(out))
}
