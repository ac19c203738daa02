package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/microstack/microstack/infra/stackconfig"
)

// stackConfig is a stack's config as the Pulumi CLI hands it to the
// program: project defaults from Pulumi.yaml overlaid with Pulumi.<stack>.yaml.
type stackConfig struct {
	values  map[string]string // full keys, "microstack:replicas"
	secrets []string
}

// projectDefaults reads the defaults Pulumi.yaml declares, by short key.
func projectDefaults(t *testing.T) map[string]any {
	t.Helper()
	var project struct {
		Config map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
		} `yaml:"config"`
	}
	readYAML(t, filepath.Join("..", "Pulumi.yaml"), &project)
	defaults := map[string]any{}
	for key, decl := range project.Config {
		defaults[key] = decl.Default
	}
	return defaults
}

// loadStackFile returns the config the CLI would give the program for stack.
func loadStackFile(t *testing.T, stack string) stackConfig {
	t.Helper()
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	readYAML(t, filepath.Join("..", "Pulumi."+stack+".yaml"), &file)
	sc := stackConfig{values: map[string]string{}}
	for key, v := range projectDefaults(t) {
		sc.values[stackconfig.Namespace+":"+key] = configString(t, v)
	}
	for key, v := range file.Config {
		if m, ok := v.(map[string]any); ok && m["secure"] != nil {
			t.Fatalf("%s: %s holds ciphertext; unit tests need plain stack files", stack, key)
		}
		sc.values[key] = configString(t, v)
	}
	return sc
}

// with returns a copy of sc with keys set (short for the project's own,
// namespaced for any other); secret ones are recorded
// as encrypted, as `pulumi config set --secret` would.
func (sc stackConfig) with(values map[string]string, secretKeys ...string) stackConfig {
	out := stackConfig{values: map[string]string{}, secrets: append([]string(nil), sc.secrets...)}
	for k, v := range sc.values {
		out.values[k] = v
	}
	for k, v := range values {
		out.values[stackconfig.FullKey(k)] = v
	}
	for _, k := range secretKeys {
		out.secrets = append(out.secrets, stackconfig.FullKey(k))
	}
	return out
}

// configString renders a YAML value the way the engine passes config to a
// program: scalars as text, objects as JSON.
func configString(t *testing.T, v any) string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return v
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	default:
		return fmt.Sprint(v)
	}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// stacks lists the environments that have a Pulumi.<stack>.yaml.
func stacks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "Pulumi.*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	if len(names) == 0 {
		t.Fatal("no Pulumi.<stack>.yaml found")
	}
	return names
}
