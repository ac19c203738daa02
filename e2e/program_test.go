package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// projectRuntime is how Pulumi.yaml names the program's runtime.
const projectRuntime = "runtime: go\n"

// prebuildProgram compiles the Pulumi program of the copy once and points
// the copy's Pulumi.yaml at the binary (the Go runtime's `binary` option).
// Without it, every preview and up of every stack compiles the program
// again; with it, they run the same code without the wait.
func (e *env) prebuildProgram() error {
	bin := filepath.Join(e.work, "bin", "microstack-infra")
	if _, err := run(e.root, nil, "go", "build", "-o", bin, "./infra"); err != nil {
		return fmt.Errorf("building the program: %w", err)
	}
	project := filepath.Join(e.root, "Pulumi.yaml")
	text, err := os.ReadFile(project)
	if err != nil {
		return err
	}
	if !strings.Contains(string(text), projectRuntime) {
		return fmt.Errorf("%s does not say %q", project, strings.TrimSpace(projectRuntime))
	}
	runtime := fmt.Sprintf("runtime:\n  name: go\n  options:\n    binary: %s\n", bin)
	return os.WriteFile(project, []byte(strings.Replace(string(text), projectRuntime, runtime, 1)), 0o644)
}
