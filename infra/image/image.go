package image

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

// Dockerfile build arguments that select the base images.
const (
	argBuilderImage = "BUILDER_IMAGE"
	argRuntimeImage = "RUNTIME_IMAGE"
)

// platform is the only one the cluster nodes run.
const platform = "linux/amd64"

// projectFile marks the repository root, which is the build context.
const projectFile = "Pulumi.yaml"

// Reference returns the digest-pinned reference the pods run. With an
// existing image it is that image; otherwise the image is built from the
// Dockerfile at the repository root and pushed, and the reference is the
// pushed repo digest.
func Reference(ctx *pulumi.Context, name string, cfg stackconfig.Image, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if !cfg.Build() {
		return pulumi.String(cfg.Existing).ToStringOutput(), nil
	}
	root, err := repositoryRoot()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	img, err := docker.NewImage(ctx, name, buildArgs(root, cfg), opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("declaring image %s: %w", name, err)
	}
	return img.RepoDigest, nil
}

func buildArgs(root string, cfg stackconfig.Image) *docker.ImageArgs {
	args := pulumi.StringMap{}
	if cfg.BuilderImage != "" {
		args[argBuilderImage] = pulumi.String(cfg.BuilderImage)
	}
	if cfg.RuntimeImage != "" {
		args[argRuntimeImage] = pulumi.String(cfg.RuntimeImage)
	}
	return &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s:%s", cfg.Repository, cfg.Tag),
		Build: &docker.DockerBuildArgs{
			Context:        pulumi.String(root),
			Dockerfile:     pulumi.String(filepath.Join(root, "Dockerfile")),
			Platform:       pulumi.String(platform),
			Args:           args,
			BuilderVersion: docker.BuilderVersionBuilderBuildKit,
		},
		Registry: registryArgs(cfg.Registry),
	}
}

// registryArgs passes credentials only when the stack has them, so a
// registry that needs none (or a docker login on the host) keeps working.
func registryArgs(r stackconfig.Registry) docker.RegistryPtrInput {
	if r.Username == "" {
		return nil
	}
	return &docker.RegistryArgs{
		Server:   pulumi.String(r.Server),
		Username: pulumi.String(r.Username),
		Password: pulumi.ToSecret(pulumi.String(r.Password)).(pulumi.StringOutput),
	}
}

// repositoryRoot finds the directory holding Pulumi.yaml: the program runs
// from infra/, but the Dockerfile builds the whole module.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the build context: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, projectFile)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("finding the build context: no %s above the working directory", projectFile)
		}
		dir = parent
	}
}
