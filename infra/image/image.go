package image

import (
	"fmt"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

// Dockerfile build arguments that select the base images.
const (
	argBuilderImage = "BUILDER_IMAGE"
	argRuntimeImage = "RUNTIME_IMAGE"
)

// argInlineCache makes BuildKit write the layer cache's metadata into the
// image config of the cache image (stackconfig.CacheTagSuffix), so the next
// build, on any machine, can reuse its layers from the registry (cacheFrom)
// instead of building from nothing.
const argInlineCache = "BUILDKIT_INLINE_CACHE"

// platform is the only one the cluster nodes run.
const platform = "linux/amd64"

// Reference returns the digest-pinned reference the pods run. With an
// existing image it is that image; otherwise the image is built from the
// Dockerfile at the repository root and pushed, and the reference is the
// pushed repo digest.
func Reference(ctx *pulumi.Context, name string, cfg stackconfig.Image, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if !cfg.Build() {
		return pulumi.String(cfg.Existing).ToStringOutput(), nil
	}
	bc, err := findBuildContext()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	st, err := readStamp(bc, cfg, runGit)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// The cache image first: the engine then holds every layer, and the
	// image deployed is built from it without the cache's metadata, which
	// differs from build to build and would give the same source a new digest.
	cache, err := docker.NewImage(ctx, name+cacheResourceSuffix, buildArgs(bc, st, cfg, cfg.CacheName()), opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("declaring image %s's layer cache: %w", name, err)
	}
	img, err := docker.NewImage(ctx, name, buildArgs(bc, st, cfg, cfg.Name()), append(opts, pulumi.DependsOn([]pulumi.Resource{cache}))...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("declaring image %s: %w", name, err)
	}
	return img.RepoDigest, nil
}

// cacheResourceSuffix ends the name of the Image resource of the layer cache.
const cacheResourceSuffix = "-cache"

// buildArgs builds the image as name: with the layer cache inline when name
// is the cache image's, always reading the cache image's layers.
func buildArgs(bc buildContext, st stamp, cfg stackconfig.Image, name string) *docker.ImageArgs {
	args := pulumi.StringMap{argVersion: pulumi.String(st.version), argCommit: pulumi.String(st.commit)}
	if name == cfg.CacheName() {
		args[argInlineCache] = pulumi.String("1")
	}
	if cfg.BuilderImage != "" {
		args[argBuilderImage] = pulumi.String(cfg.BuilderImage)
	}
	if cfg.RuntimeImage != "" {
		args[argRuntimeImage] = pulumi.String(cfg.RuntimeImage)
	}
	return &docker.ImageArgs{
		ImageName: pulumi.String(name),
		Build: &docker.DockerBuildArgs{
			// The stack's previous push: a CI runner starts with an empty
			// engine, and an unchanged layer comes from the registry.
			CacheFrom:      &docker.CacheFromArgs{Images: pulumi.StringArray{pulumi.String(cfg.CacheName())}},
			Context:        pulumi.String(bc.rel),
			Dockerfile:     pulumi.String(bc.dockerfile()),
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
