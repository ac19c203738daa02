package pulumisource

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

type noResources struct{}

func (noResources) NewResource(a pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return a.Name, a.Inputs, nil
}

func (noResources) Call(a pulumi.MockCallArgs) (resource.PropertyMap, error) { return a.Args, nil }

// TestSource reads the stack's config through a running program: keys of
// the project's namespace only, secrets as the stack stores them.
func TestSource(t *testing.T) {
	config := map[string]string{
		"microstack:replicas":  "3",
		"microstack:secretEnv": `{"TOKEN":"t"}`,
		"kubernetes:context":   "prod",
	}
	keys := []string{"microstack:replicas", "microstack:secretEnv", "kubernetes:context"}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		src := New(ctx, keys...)
		if v, ok := src.Lookup(stackconfig.KeyReplicas); !ok || v != "3" {
			t.Errorf("Lookup(%q) = %q, %v; want 3, true", stackconfig.KeyReplicas, v, ok)
		}
		if v, ok := src.Lookup("context"); ok {
			t.Errorf("Lookup(context) = %q, true; want another namespace's key unseen", v)
		}
		if !src.IsSecret(stackconfig.KeySecretEnv) || src.IsSecret(stackconfig.KeyReplicas) {
			t.Errorf("IsSecret: secretEnv %v, replicas %v; want true, false",
				src.IsSecret(stackconfig.KeySecretEnv), src.IsSecret(stackconfig.KeyReplicas))
		}
		lister, ok := src.(stackconfig.KeyLister)
		if !ok {
			t.Fatal("the Source is not a KeyLister")
		}
		got := lister.Keys()
		if !slices.Equal(got, keys) {
			t.Errorf("Keys() = %v, want %v", got, keys)
		}
		got[0] = "changed"
		if lister.Keys()[0] != keys[0] {
			t.Error("Keys() returns the Source's own slice")
		}
		return nil
	}, pulumi.WithMocks(stackconfig.Namespace, "dev", noResources{}), func(info *pulumi.RunInfo) {
		info.Config = config
		info.ConfigSecretKeys = []string{"microstack:secretEnv"}
	})
	if err != nil {
		t.Fatal(err)
	}
}
