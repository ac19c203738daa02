package image

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files at the repository root that make the build context.
const (
	projectFile      = "Pulumi.yaml" // marks the root
	dockerfileName   = "Dockerfile"
	dockerignoreName = ".dockerignore"
)

// buildContext is where the image is built from: the repository root, as
// a path relative to the program's working directory (infra/), so that
// every checkout of the repository, wherever it lies, gives the provider
// the same inputs.
type buildContext struct {
	root string // absolute, for reading the checkout
	rel  string // relative to the working directory, for the provider
}

// findBuildContext walks up from the working directory to the directory
// holding Pulumi.yaml: the program runs from infra/, the Dockerfile builds
// the service from the root.
func findBuildContext() (buildContext, error) {
	wd, err := os.Getwd()
	if err != nil {
		return buildContext{}, fmt.Errorf("finding the build context: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, projectFile)); err == nil {
			rel, err := filepath.Rel(wd, dir)
			if err != nil {
				return buildContext{}, fmt.Errorf("finding the build context: %w", err)
			}
			return buildContext{root: dir, rel: rel}, nil
		}
		if filepath.Dir(dir) == dir {
			return buildContext{}, fmt.Errorf("finding the build context: no %s above %s", projectFile, wd)
		}
	}
}

// dockerfile is the Dockerfile's path as the provider is given it.
func (c buildContext) dockerfile() string { return filepath.Join(c.rel, dockerfileName) }

// inputs are the paths of the checkout an image is built from: the
// Dockerfile, .dockerignore and what .dockerignore lets into the context
// (it leaves everything out but what it re-includes with "!").
func (c buildContext) inputs() ([]string, error) {
	b, err := os.ReadFile(filepath.Join(c.root, dockerignoreName))
	if err != nil {
		return nil, fmt.Errorf("reading the build context's inputs: %w", err)
	}
	paths := []string{dockerfileName, dockerignoreName}
	for _, line := range strings.Split(string(b), "\n") {
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "!"); ok {
			paths = append(paths, path)
		}
	}
	return paths, nil
}
