package e2e

import (
	"os"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func TestParseDiffText(t *testing.T) {
	b, err := os.ReadFile("testdata/preview-diff.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseDiffText(string(b))
	if err != nil {
		t.Fatal(err)
	}
	assertOps(t, got.Ops, ops{typeConfigMap: apitype.OpReplace, typeDeployment: apitype.OpUpdate})
	want := map[string][]string{
		typeConfigMap: {`data.APP_MESSAGE: "Hello from dev!" => "Hello from a branch!"`},
		typeDeployment: {
			`spec.template.spec.containers[0].envFrom[0].configMapRef.name: "microstack-config-80895a71" => "microstack-config-ef5e1a16"`,
			`spec.template.spec.containers[0].resources.limits.memory: "64Mi" => "96Mi"`,
		},
	}
	for typ, changes := range want {
		var lines []string
		for _, c := range got.Changes[typ] {
			lines = append(lines, c.String())
		}
		if !slices.Equal(lines, changes) {
			t.Errorf("%s changes:\n got %q\nwant %q", typ, lines, changes)
		}
	}
	if got.Summary != "2 changes. 4 unchanged" {
		t.Errorf("summary = %q", got.Summary)
	}
}

func TestParseDiffTextWithoutSummary(t *testing.T) {
	if _, err := parseDiffText("Previewing update (dev):\nerror: boom\n"); err == nil {
		t.Error("text without a summary parsed without an error")
	}
}

func TestSpread(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	tests := []struct {
		n    int
		want []string
	}{
		{3, []string{"a", "d", "g"}},
		{5, []string{"a", "c", "e", "g", "i"}},
		{10, items},
		{20, items},
	}
	for _, tt := range tests {
		if got := spread(items, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("spread(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}
