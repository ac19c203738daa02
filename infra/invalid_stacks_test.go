package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microstack/microstack/infra/stackconfig"
)

// invalidStacks holds stack files the program must refuse, in the format
// of Pulumi.<stack>.yaml. Each starts with a comment naming every key the
// error must report:
//
//	# want: microstack:replicas[, microstack:<key>...]
const invalidStacks = "testdata/invalid-stacks"

// TestInvalidStacks runs the real program under mocks on every invalid
// stack file and checks that it fails before declaring anything, naming
// exactly the wanted keys.
//
// Values of the wrong YAML type, such as `replicas: abc`, never reach the
// program when the Pulumi CLI runs it: the CLI checks them against the
// types Pulumi.yaml declares and stops first, with "configuration key
// 'replicas' must be of type 'integer'". Under mocks the program's own
// parser sees them and reports the key itself; either way the key is named.
func TestInvalidStacks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(invalidStacks, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("%d files in %s, want at least 25", len(files), invalidStacks)
	}
	known := map[string]bool{}
	_, _ = stackconfig.Load("dev", recordingSource{read: known})
	for _, file := range files {
		stack := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(stack, func(t *testing.T) {
			want := wantedKeys(t, file, known)
			e, err := run(t, stack, stackFileAt(t, file))
			if err == nil {
				t.Fatal("program succeeded, want a config error")
			}
			if n := len(e.resources); n != 0 {
				t.Errorf("%d resources registered before the config error, want 0", n)
			}
			for _, key := range want {
				if !strings.Contains(err.Error(), stackconfig.FullKey(key)+":") {
					t.Errorf("error does not name %s:%s:\n%v", stackconfig.Namespace, key, err)
				}
			}
			got := slices.Compact(slices.Sorted(slices.Values(stackconfig.InvalidKeys(err))))
			if !slices.Equal(got, want) {
				t.Errorf("invalid keys = %q, want %q\n%v", got, want, err)
			}
		})
	}
}

// wantedKeys reads the keys of a file's "# want:" line, without the
// namespace, sorted.
func wantedKeys(t *testing.T, file string, known map[string]bool) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	list, ok := strings.CutPrefix(sc.Text(), "# want: ")
	if !ok {
		t.Fatalf("%s: first line %q, want \"# want: %s:<key>[, ...]\"", file, sc.Text(), stackconfig.Namespace)
	}
	var keys []string
	for item := range strings.SplitSeq(list, ",") {
		full := strings.TrimSpace(item)
		key, _ := strings.CutPrefix(full, stackconfig.Namespace+":")
		if !known[key] && !setsKey(t, file, full) {
			t.Fatalf("%s: %q is not a key of the program", file, item)
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}

// setsKey reports whether the stack file sets key (namespace:key): a file
// may want a key the program does not know, the one it misspells.
func setsKey(t *testing.T, file, key string) bool {
	t.Helper()
	var f struct {
		Config map[string]any `yaml:"config"`
	}
	readYAML(t, file, &f)
	_, ok := f.Config[key]
	return ok
}

// stackFileAt returns the config the CLI would give the program for the
// stack file at path: the project's defaults overlaid with the file.
func stackFileAt(t *testing.T, path string) stackConfig {
	t.Helper()
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	readYAML(t, path, &file)
	sc := stackConfig{values: map[string]string{}}
	for key, v := range projectDefaults(t) {
		sc.values[stackconfig.Namespace+":"+key] = configString(t, v)
	}
	set := map[string]string{}
	for key, v := range file.Config {
		short, _ := strings.CutPrefix(key, stackconfig.Namespace+":")
		set[short] = configString(t, v)
	}
	return sc.with(set)
}
