package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// invalidStacksDir holds the stack files the program must refuse; the unit
// tests of infra run them under mocks, this test against the cluster.
const invalidStacksDir = "infra/testdata/invalid-stacks"

// invalidStackWorkers is how many `pulumi up` of invalid files run at once.
const invalidStackWorkers = 3

// Each `pulumi up` starts the CLI, the language host and the program (a
// few CPU-seconds here), so by default the test takes invalidStackSample
// files spread evenly over the sorted list; envAllInvalidStacks=1 runs
// every file.
const (
	invalidStackSample  = 12
	envAllInvalidStacks = "MICROSTACK_E2E_ALL_INVALID_STACKS"
)

// TestInvalidStacksOnCluster runs `pulumi up` of the program on invalid
// stack files against the real cluster (a sample, or every one: see
// invalidStackSample): each fails naming its keys, the stack's state holds
// nothing but its root, and the cluster gains no object. The unit tests of
// infra run every file under mocks.
func TestInvalidStacksOnCluster(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join(e.root, invalidStacksDir, "*.yaml"))
	if err != nil || len(files) < 25 {
		t.Fatalf("%d invalid stack files (%v), want at least 25", len(files), err)
	}
	all := len(files)
	if os.Getenv(envAllInvalidStacks) != "1" {
		files = spread(files, invalidStackSample)
	}
	stacks := make([]string, invalidStackWorkers)
	for w := range stacks {
		stacks[w] = fmt.Sprintf("invalid-%d", w)
	}
	// Other tests run beside this one: what counts is what these stacks
	// would have labelled as theirs (an instance is NAME-STACK).
	theirs := func(labels map[string]string) bool {
		return slices.ContainsFunc(stacks, func(s string) bool { return strings.HasSuffix(labels[instanceLabel], "-"+s) })
	}
	before := e.objectsWhere(ctx, t, metav1.NamespaceAll, theirs)

	jobs := make(chan string)
	var wg sync.WaitGroup
	for _, stack := range stacks {
		e.initStack(t, stack)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for file := range jobs {
				e.upInvalidStack(t, stack, file)
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()

	after := e.objectsWhere(ctx, t, metav1.NamespaceAll, theirs)
	if added := difference(after, before); len(added) > 0 {
		t.Errorf("the cluster gained %v", added)
	}
	for _, stack := range stacks {
		e.assertOnlyRoot(t, stack)
	}
	t.Logf("%d of %d invalid stack files refused by pulumi up; the cluster gained no object of their stacks", len(files), all)
}

// upInvalidStack runs `pulumi up` with a copy of file as the stack config
// (the CLI writes the stack's encryption salt into it) and checks that it
// fails naming every key of the file's "# want:" line.
func (e *env) upInvalidStack(t *testing.T, stack, file string) {
	name := filepath.Base(file)
	config := filepath.Join(e.work, stack+"-"+name)
	if err := copyFile(file, config); err != nil {
		t.Error(err)
		return
	}
	out, err := run(e.root, e.pulumiEnv, "pulumi", "up", "--yes", "--skip-preview", "--non-interactive",
		"--color", "never", "--stack", stack, "--config-file", config)
	if err == nil {
		t.Errorf("%s: pulumi up succeeded:\n%s", name, out)
		return
	}
	text := out + err.Error()
	keys, werr := wantedKeys(file)
	if werr != nil {
		t.Error(werr)
		return
	}
	for _, key := range keys {
		// The program names microstack:KEY; the CLI, refusing a value of
		// the wrong YAML type first, names 'KEY'.
		if !strings.Contains(text, key+":") && !strings.Contains(text, "'"+strings.TrimPrefix(key, configNamespace)+"'") {
			t.Errorf("%s: the error does not name %s:\n%s", name, key, text)
		}
	}
}

var wantLine = regexp.MustCompile(`^# want: (.+)$`)

// wantedKeys reads the keys of a stack file's first line, "# want: K[, K...]".
func wantedKeys(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	m := wantLine.FindStringSubmatch(sc.Text())
	if m == nil {
		return nil, fmt.Errorf("%s: no \"# want:\" first line", file)
	}
	var keys []string
	for k := range strings.SplitSeq(m[1], ",") {
		keys = append(keys, strings.TrimSpace(k))
	}
	return keys, nil
}

// initStack creates an empty stack in the repository copy.
func (e *env) initStack(t *testing.T, stack string) {
	t.Helper()
	if _, err := run(e.root, e.pulumiEnv, "pulumi", "stack", "init", stack, "--non-interactive"); err != nil {
		t.Fatal(err)
	}
}

// assertOnlyRoot checks that a stack's state declares no resource but the
// stack itself.
func (e *env) assertOnlyRoot(t *testing.T, stack string) {
	t.Helper()
	out, err := run(e.root, e.pulumiEnv, "pulumi", "stack", "export", "--stack", stack)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Deployment struct {
			Resources []stateResource `json:"resources"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Deployment.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			t.Errorf("stack %s declared %s", stack, r.URN)
		}
	}
}

// spread picks n of items, evenly spaced, first included.
func spread(items []string, n int) []string {
	if n >= len(items) {
		return items
	}
	out := make([]string, n)
	for i := range out {
		out[i] = items[i*len(items)/n]
	}
	return out
}

// difference lists what is in a but not in b.
func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
