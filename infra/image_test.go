package main

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/microstack/microstack/infra/stackconfig"
)

// imageBuild runs the dev stack, which builds its image, from the working
// directory and returns the deployed Image's build input.
func imageBuild(t *testing.T, sc stackConfig) resource.PropertyValue {
	t.Helper()
	e, err := run(t, "dev", sc)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	deployed, _ := images(t, e)
	return deployed.get("build")
}

// images returns the Image the pods run and the one carrying its layer
// cache, failing unless the program declared exactly those two.
func images(t *testing.T, e *engine) (deployed, cache registered) {
	t.Helper()
	all := e.ofType(typeImage)
	for _, img := range all {
		if strings.HasSuffix(img.get("imageName").StringValue(), stackconfig.CacheTagSuffix) {
			cache = img
		} else {
			deployed = img
		}
	}
	if len(all) != 2 || cache.typ == "" || deployed.typ == "" {
		t.Fatalf("%d Images, want the one deployed and its layer cache (tag ending %s)", len(all), stackconfig.CacheTagSuffix)
	}
	return deployed, cache
}

// TestImageLayerCacheHasAnImageOfItsOwn: the layer cache is exported inline
// into an image of its own, built first; the image deployed carries no
// cache metadata, which would give the same source a new digest each build,
// and both read their layers from the cache image.
func TestImageLayerCacheHasAnImageOfItsOwn(t *testing.T) {
	e, err := run(t, "dev", loadStackFile(t, "dev"))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	deployed, cache := images(t, e)
	name := deployed.get("imageName").StringValue()
	if got := cache.get("imageName").StringValue(); got != name+stackconfig.CacheTagSuffix {
		t.Errorf("cache image = %q, want %q", got, name+stackconfig.CacheTagSuffix)
	}
	if got := cache.get("build", "args", "BUILDKIT_INLINE_CACHE").StringValue(); got != "1" {
		t.Errorf("cache image BUILDKIT_INLINE_CACHE = %q, want 1", got)
	}
	if got := deployed.get("build", "args", "BUILDKIT_INLINE_CACHE"); !got.IsNull() {
		t.Errorf("deployed image BUILDKIT_INLINE_CACHE = %v, want none", got)
	}
	for _, img := range []registered{deployed, cache} {
		from := img.get("build", "cacheFrom", "images", 0).StringValue()
		if from != name+stackconfig.CacheTagSuffix {
			t.Errorf("%s cacheFrom = %q, want the cache image", img.name, from)
		}
		if !reflect.DeepEqual(withoutArg(img.get("build"), "BUILDKIT_INLINE_CACHE"), withoutArg(deployed.get("build"), "BUILDKIT_INLINE_CACHE")) {
			t.Errorf("%s builds from other inputs than the image deployed", img.name)
		}
	}
	if !slices.ContainsFunc(deployed.dependsOn, func(urn string) bool { return strings.HasSuffix(urn, "::"+cache.name) }) {
		t.Errorf("deployed image depends on %v, want the cache image %s, so that it is built from the engine's cache", deployed.dependsOn, cache.name)
	}
}

// withoutArg returns a build input without one build argument.
func withoutArg(build resource.PropertyValue, arg string) resource.PropertyValue {
	b := build.ObjectValue().Copy()
	args := path(build, "args").ObjectValue().Copy()
	delete(args, resource.PropertyKey(arg))
	b["args"] = resource.NewObjectProperty(args)
	return resource.NewObjectProperty(b)
}

// gitOut runs git in dir.
func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	if err != nil {
		t.Skipf("git %s: %v (the test reads the checkout's history)", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

var fullCommit = regexp.MustCompile(`^[0-9a-f]{40}$`)

// TestImageIsStampedWithTheCommitOfItsInputs: the build paths are relative
// to the program, and COMMIT is the last commit that changed what the
// image is built from, so later commits elsewhere change no Image input.
func TestImageIsStampedWithTheCommitOfItsInputs(t *testing.T) {
	build := imageBuild(t, loadStackFile(t, "dev"))
	if got := path(build, "context").StringValue(); got != ".." {
		t.Errorf("build context = %q, want .. (the repository root, relative to infra/)", got)
	}
	if got := path(build, "dockerfile").StringValue(); got != filepath.Join("..", "Dockerfile") {
		t.Errorf("dockerfile = %q, want ../Dockerfile", got)
	}
	commit := path(build, "args", "COMMIT").StringValue()
	if !fullCommit.MatchString(commit) {
		t.Fatalf("COMMIT = %q, want a full commit hash", commit)
	}
	inputs := []string{"Dockerfile", ".dockerignore", "app/", "internal/contract/"}
	if touched := gitOut(t, "..", append([]string{"diff-tree", "--root", "--no-commit-id", "--name-only", "-r", commit, "--"}, inputs...)...); touched == "" {
		t.Errorf("COMMIT %s changed none of %v", commit, inputs)
	}
	if since := gitOut(t, "..", append([]string{"diff", "--name-only", commit, "HEAD", "--"}, inputs...)...); since != "" {
		t.Errorf("COMMIT %s is not the last commit of the image's inputs: since then %s changed", commit, since)
	}
	version := path(build, "args", "VERSION").StringValue()
	if want := gitOut(t, "..", "describe", "--tags", "--always", "--abbrev=12", commit); strings.TrimSuffix(version, "-dirty") != want {
		t.Errorf("VERSION = %q, want %q (with -dirty while the inputs have uncommitted changes)", version, want)
	}
}

// TestImageStampFromStackKeys: where there is no git history, the stack
// says what the image is.
func TestImageStampFromStackKeys(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	build := imageBuild(t, loadStackFile(t, "dev").with(map[string]string{
		stackconfig.KeyImageVersion: "v1.4.0", stackconfig.KeyImageCommit: commit,
	}))
	if got := path(build, "args", "VERSION").StringValue(); got != "v1.4.0" {
		t.Errorf("VERSION = %q, want v1.4.0", got)
	}
	if got := path(build, "args", "COMMIT").StringValue(); got != commit {
		t.Errorf("COMMIT = %q, want %q", got, commit)
	}
}

// TestTwoClonesGiveTheSameImageInputs runs the program from two clones of
// the repository at different paths: the Image's inputs are the same, so a
// preview from a CI workspace or a colleague's checkout plans no rebuild.
func TestTwoClonesGiveTheSameImageInputs(t *testing.T) {
	sc := loadStackFile(t, "dev")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	head := gitOut(t, root, "rev-parse", "HEAD")
	var builds []resource.PropertyValue
	for _, dir := range []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "deeper", "b")} {
		if out, err := exec.Command("git", "clone", "--quiet", "--no-hardlinks", root, dir).CombinedOutput(); err != nil {
			t.Fatalf("git clone: %v\n%s", err, out)
		}
		if got := gitOut(t, dir, "rev-parse", "HEAD"); got != head {
			t.Fatalf("clone at %s, want HEAD %s", got, head)
		}
		t.Chdir(filepath.Join(dir, "infra"))
		builds = append(builds, imageBuild(t, sc))
	}
	if !reflect.DeepEqual(builds[0], builds[1]) {
		t.Errorf("the clones give different Image build inputs:\n%v\n%v", builds[0], builds[1])
	}
}
