package image

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microstack/microstack/infra/stackconfig"
)

// fakeGit answers git commands by their first word and records them.
type fakeGit struct {
	answers map[string]string
	fail    error
	calls   [][]string
}

func (g *fakeGit) run(_ string, args ...string) (string, error) {
	g.calls = append(g.calls, args)
	if g.fail != nil {
		return "", g.fail
	}
	return g.answers[args[0]], nil
}

// testContext is a build context whose .dockerignore lets app/ in.
func testContext(t *testing.T) buildContext {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, dockerignoreName), []byte("*\n!app/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return buildContext{root: root, rel: ".."}
}

func TestReadStamp(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name    string
		img     stackconfig.Image
		git     fakeGit
		want    stamp
		wantErr []string
	}{
		{
			name: "from the history of the inputs",
			git:  fakeGit{answers: map[string]string{"log": commit, "describe": "v1.2.0-3-g0123456789ab"}},
			want: stamp{version: "v1.2.0-3-g0123456789ab", commit: commit},
		},
		{
			name: "uncommitted changes to the inputs",
			git:  fakeGit{answers: map[string]string{"log": commit, "describe": "0123456789ab", "status": " M app/main.go"}},
			want: stamp{version: "0123456789ab-dirty", commit: commit},
		},
		{
			name: "the stack's version, the history's commit",
			img:  stackconfig.Image{Version: "v2"},
			git:  fakeGit{answers: map[string]string{"log": commit}},
			want: stamp{version: "v2", commit: commit},
		},
		{
			name: "both from the stack, git never asked",
			img:  stackconfig.Image{Version: "v2", Commit: "abcdef0"},
			git:  fakeGit{fail: errors.New("no git")},
			want: stamp{version: "v2", commit: "abcdef0"},
		},
		{
			name:    "no history and no keys",
			git:     fakeGit{fail: errors.New("not a git repository")},
			wantErr: []string{"microstack:imageVersion", "microstack:imageCommit", "not a git repository", "set both"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readStamp(testContext(t), tt.img, tt.git.run)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("readStamp() = %+v, want an error", got)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("readStamp() = %+v, %v; want %+v", got, err, tt.want)
			}
			for _, call := range tt.git.calls {
				if call[0] == "log" && !slices.Equal(call[len(call)-3:], []string{dockerfileName, dockerignoreName, "app/"}) {
					t.Errorf("git %v: want the history of the Dockerfile, .dockerignore and app/ only", call)
				}
			}
		})
	}
}
