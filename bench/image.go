package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// imageFigure is the size of the service's image, or why it was not
// measured.
type imageFigure struct {
	ref          string
	size         int64
	largestLayer int64
	largestBy    string // the instruction that created the largest layer
	skipped      string
}

// measureImage reads the size of ref and of its largest layer from the
// Docker engine that DOCKER_HOST names.
func measureImage(ctx context.Context, ref string) imageFigure {
	fig := imageFigure{ref: ref}
	switch {
	case ref == "":
		fig.skipped = "no image given (-image REF)"
		return fig
	case os.Getenv("DOCKER_HOST") == "":
		fig.skipped = "DOCKER_HOST is not set, so there is no engine to ask"
		return fig
	}
	if _, err := exec.LookPath("docker"); err != nil {
		fig.skipped = "the docker command is not installed"
		return fig
	}
	out, err := docker(ctx, "image", "inspect", "--format", "{{.Size}}", ref)
	if err != nil {
		fig.skipped = err.Error()
		return fig
	}
	if fig.size, err = strconv.ParseInt(strings.TrimSpace(out), 10, 64); err != nil {
		fig.skipped = fmt.Sprintf("docker image inspect: unexpected size %q", out)
		return fig
	}
	out, err = docker(ctx, "history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", ref)
	if err != nil {
		fig.skipped = err.Error()
		return fig
	}
	if fig.largestLayer, fig.largestBy, err = largestLayer(out); err != nil {
		fig.skipped = err.Error()
	}
	return fig
}

func docker(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// largestLayer picks the largest layer out of `docker history` lines of
// the form SIZE<TAB>CREATED BY.
func largestLayer(history string) (size int64, createdBy string, err error) {
	for line := range strings.Lines(history) {
		line = strings.TrimRight(line, "\n")
		if line == "" {
			continue
		}
		sizeText, by, _ := strings.Cut(line, "\t")
		n, err := strconv.ParseInt(sizeText, 10, 64)
		if err != nil {
			return 0, "", fmt.Errorf("docker history: unexpected line %q", line)
		}
		if n > size || createdBy == "" {
			size, createdBy = n, by
		}
	}
	if createdBy == "" {
		return 0, "", fmt.Errorf("docker history: no layers")
	}
	return size, createdBy, nil
}
