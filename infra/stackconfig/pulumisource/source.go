package pulumisource

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/microstack/microstack/infra/stackconfig"
)

// New returns the running stack's config as a stackconfig.Source. Keys,
// when given, are every key the stack sets (pulumi.RunInfo's Config): the
// Source is then a stackconfig.KeyLister, so keys the program does not
// know are reported.
func New(ctx *pulumi.Context, keys ...string) stackconfig.Source {
	return source{ctx: ctx, keys: keys}
}

type source struct {
	ctx  *pulumi.Context
	keys []string
}

// Keys implements stackconfig.KeyLister.
func (s source) Keys() []string { return slices.Clone(s.keys) }

// Lookup implements stackconfig.Source.
func (s source) Lookup(key string) (string, bool) {
	return s.ctx.GetConfig(stackconfig.Namespace + ":" + key)
}

// IsSecret implements stackconfig.Source.
func (s source) IsSecret(key string) bool {
	return s.ctx.IsConfigSecret(stackconfig.Namespace + ":" + key)
}
