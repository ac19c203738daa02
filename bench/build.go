package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// module is the import path of the repository's module.
const module = "github.com/microstack/microstack"

// binaries are the programs a run builds.
type binaries struct {
	app          string // the service, built as the Dockerfile builds it
	appProfiling string // the service with net/http/pprof (build tag pprof)
	ceiling      string
}

// buildStep is one go build.
type buildStep struct {
	out   string
	flags []string
	pkg   string
}

// build compiles the binaries into dir. It must run inside the module.
func build(ctx context.Context, dir string, profiling bool) (binaries, error) {
	bins := binaries{
		app:     filepath.Join(dir, "microstack"),
		ceiling: filepath.Join(dir, "ceiling"),
	}
	// The Dockerfile's flags: static, without local paths or symbol table.
	release := []string{"-trimpath", "-ldflags=-s -w"}
	steps := []buildStep{
		{bins.app, release, module + "/app"},
		{bins.ceiling, release, module + "/bench/ceiling"},
	}
	if profiling {
		bins.appProfiling = filepath.Join(dir, "microstack-pprof")
		steps = append(steps, buildStep{bins.appProfiling, []string{"-trimpath", "-tags=pprof"}, module + "/app"})
	}
	for _, s := range steps {
		args := append([]string{"build", "-o", s.out}, s.flags...)
		cmd := exec.CommandContext(ctx, "go", append(args, s.pkg)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return binaries{}, fmt.Errorf("go build %s: %w\n%s", s.pkg, err, out)
		}
	}
	return bins, nil
}
