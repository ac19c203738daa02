package main

import (
	"bytes"
	"fmt"
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

// TestDockerfileDownloadsExactlyTheServiceModules keeps the Dockerfile's
// `go mod download` list equal to the modules the service imports. A
// missing module fails the image build, whose build step runs with
// GOPROXY=off; a stale extra one silently bloats the image's cache layer.
func TestDockerfileDownloadsExactlyTheServiceModules(t *testing.T) {
	goBin, dockerfile := goAndDockerfile(t)
	got, err := downloadedModules(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	want := serviceModules(t, goBin)
	if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, want) {
		t.Errorf("Dockerfile downloads\n\t%s\nbut ./app/... builds from\n\t%s",
			strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	if !slices.IsSorted(got) {
		t.Errorf("Dockerfile module list is not sorted, which makes diffs noisy:\n\t%s", strings.Join(got, "\n\t"))
	}
}

// downloadedModules returns the module paths of the Dockerfile's
// single `RUN go mod download` instruction.
func downloadedModules(dockerfile string) ([]string, error) {
	var found [][]string
	for _, instr := range instructions(dockerfile) {
		fields := strings.Fields(instr)
		if len(fields) < 4 || !strings.EqualFold(fields[0], "RUN") ||
			fields[1] != "go" || fields[2] != "mod" || fields[3] != "download" {
			continue
		}
		var mods []string
		for _, f := range fields[4:] {
			if f == "&&" || f == ";" {
				break
			}
			if !strings.HasPrefix(f, "-") {
				mods = append(mods, f)
			}
		}
		found = append(found, mods)
	}
	if len(found) != 1 || len(found[0]) == 0 {
		return nil, fmt.Errorf("Dockerfile has %d `RUN go mod download <modules>` instructions, want exactly 1 with a module list", len(found))
	}
	return found[0], nil
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

// serviceModules returns the sorted modules, other than the main module,
// that provide packages to ./app/... as built for the image: Linux without
// cgo, whatever the host is.
func serviceModules(t *testing.T, goBin string) []string {
	t.Helper()
	mainModule := goList(t, goBin, "-m")
	if len(mainModule) != 1 {
		t.Fatalf("go list -m reported %q, want one main module", mainModule)
	}
	mods := goList(t, goBin, "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", "./app/...")
	slices.Sort(mods)
	mods = slices.Compact(mods)
	return slices.DeleteFunc(mods, func(m string) bool { return m == mainModule[0] })
}

func TestDownloadedModules(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		want       []string
		wantErr    bool
	}{
		{
			name:       "continued lines and comments",
			dockerfile: "FROM x\n# go mod download not/this\nRUN go mod download \\\n\ta.example/one \\\n\t# inside\n\tb.example/two\nCOPY . .\n",
			want:       []string{"a.example/one", "b.example/two"},
		},
		{
			name:       "flags and chained commands",
			dockerfile: "RUN go mod download -x a.example/one && go build ./...\n",
			want:       []string{"a.example/one"},
		},
		{
			name:       "download everything",
			dockerfile: "RUN go mod download\n",
			wantErr:    true,
		},
		{
			name:       "no download",
			dockerfile: "FROM x\nRUN go build ./...\n",
			wantErr:    true,
		},
		{
			name:       "two downloads",
			dockerfile: "RUN go mod download a.example/one\nRUN go mod download b.example/two\n",
			wantErr:    true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := downloadedModules(tt.dockerfile)
			if (err != nil) != tt.wantErr {
				t.Fatalf("downloadedModules() error = %v, wantErr %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("downloadedModules() = %q, want %q", got, tt.want)
			}
		})
	}
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
