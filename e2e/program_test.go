package e2e

import (
	"fmt"
	"os"
	"path/filepath"
)

// envProgramBinary names the prebuilt program for the Go language host
// (see the launcher hack/tools.sh puts beside pulumi).
const envProgramBinary = "MICROSTACK_PULUMI_GO_BINARY"

// prebuildProgram compiles the Pulumi program of the copy once, for every
// preview and up of the test's stacks to run: without it, each of them
// compiles and links the program again, seconds of CPU that tests running
// side by side pay many times over. When the environment names a program
// already (hack/test.sh builds it once for all the tests, which never edit
// infra/), that one is used.
func (e *env) prebuildProgram() error {
	if bin := os.Getenv(envProgramBinary); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s: %w", envProgramBinary, err)
		}
		e.pulumiEnv[envProgramBinary] = bin
		return nil
	}
	bin := filepath.Join(e.work, "bin", "microstack-infra")
	if _, err := run(e.root, nil, "go", "build", "-o", bin, "./infra"); err != nil {
		return fmt.Errorf("building the program: %w", err)
	}
	e.pulumiEnv[envProgramBinary] = bin
	return nil
}
