package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// configNamespace prefixes the program's config keys.
const configNamespace = "microstack:"

// stack is one Pulumi stack of the repository copy.
type stack struct {
	name  string
	stack auto.Stack
}

// stack selects (or creates) name in the repository copy, so its config
// comes from the copy's Pulumi.<name>.yaml.
func (e *env) stack(ctx context.Context, t *testing.T, name string) *stack {
	t.Helper()
	return e.stackWithEnv(ctx, t, name, nil)
}

// stackWithEnv is stack with extra environment for every Pulumi command.
func (e *env) stackWithEnv(ctx context.Context, t *testing.T, name string, extra map[string]string) *stack {
	t.Helper()
	vars := maps.Clone(e.pulumiEnv)
	maps.Copy(vars, extra)
	s, err := auto.UpsertStackLocalSource(ctx, name, e.root, auto.EnvVars(vars))
	if err != nil {
		t.Fatalf("stack %s: %v", name, err)
	}
	return &stack{name: name, stack: s}
}

// set writes config keys (without the microstack: prefix).
func (s *stack) set(ctx context.Context, t *testing.T, values map[string]string) {
	t.Helper()
	for k, v := range values {
		if err := s.stack.SetConfig(ctx, configNamespace+k, auto.ConfigValue{Value: v}); err != nil {
			t.Fatalf("%s: config set %s: %v", s.name, k, err)
		}
	}
}

// unset removes config keys (without the microstack: prefix).
func (s *stack) unset(ctx context.Context, t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := s.stack.RemoveConfig(ctx, configNamespace+k); err != nil {
			t.Fatalf("%s: config rm %s: %v", s.name, k, err)
		}
	}
}

// ops maps each resource type to the operation Pulumi plans or performs
// for it; the stack and provider resources are left out.
type ops map[string]apitype.OpType

func (o ops) String() string {
	var parts []string
	for typ, op := range o {
		parts = append(parts, fmt.Sprintf("%s=%s", typ[strings.LastIndex(typ, ":")+1:], op))
	}
	return strings.Join(parts, " ")
}

// changed lists the types whose operation is not "same".
func (o ops) changed() ops {
	out := ops{}
	for typ, op := range o {
		if op != apitype.OpSame {
			out[typ] = op
		}
	}
	return out
}

// plan is what a preview planned or an update did: the operation for each
// resource type, and the property paths each type's step changes.
type plan struct {
	ops   ops
	diffs map[string][]string
}

// collect drains an event stream into a plan until it closes.
func collect() (chan events.EngineEvent, func() plan) {
	ch := make(chan events.EngineEvent)
	result := plan{ops: ops{}, diffs: map[string][]string{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range ch {
			if ev.ResourcePreEvent == nil {
				continue
			}
			md := ev.ResourcePreEvent.Metadata
			// A refreshed preview reads every resource first: those steps are
			// not the plan.
			if md.Type == "pulumi:pulumi:Stack" || strings.HasPrefix(md.Type, "pulumi:providers:") || md.Op == apitype.OpRefresh {
				continue
			}
			op := md.Op
			// A replacement shows as several steps; report it as one.
			if op == apitype.OpCreateReplacement || op == apitype.OpDeleteReplaced {
				op = apitype.OpReplace
			}
			if prev, ok := result.ops[md.Type]; !ok || prev == apitype.OpSame {
				result.ops[md.Type] = op
			}
			result.diffs[md.Type] = append(result.diffs[md.Type], md.Diffs...)
			for path := range md.DetailedDiff {
				result.diffs[md.Type] = append(result.diffs[md.Type], path)
			}
		}
	}()
	return ch, func() plan { wg.Wait(); return result }
}

func (s *stack) preview(ctx context.Context, opts ...optpreview.Option) (ops, error) {
	p, err := s.previewPlan(ctx, opts...)
	return p.ops, err
}

func (s *stack) previewPlan(ctx context.Context, opts ...optpreview.Option) (plan, error) {
	ch, wait := collect()
	_, err := s.stack.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	return wait(), err
}

func (s *stack) up(ctx context.Context, opts ...optup.Option) (ops, auto.UpResult, error) {
	ch, wait := collect()
	res, err := s.stack.Up(ctx, append(opts, optup.EventStreams(ch))...)
	return wait().ops, res, err
}

func (s *stack) destroy(ctx context.Context) error {
	_, err := s.stack.Destroy(ctx)
	return err
}

// output returns a string stack output.
func output(res auto.UpResult, name string) string {
	v, _ := res.Outputs[name].Value.(string)
	return v
}

// resourceCount is how many resources the stack's state holds.
func (s *stack) resourceCount(ctx context.Context) (int, error) {
	dep, err := s.stack.Export(ctx)
	if err != nil {
		return 0, err
	}
	var state struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		return 0, err
	}
	return len(state.Resources), nil
}
