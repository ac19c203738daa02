package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// cleanupTimeout bounds the destroy and namespace deletion that follow a
// failed or interrupted measurement.
const cleanupTimeout = 5 * time.Minute

// stack is one stack of the inline program in the bench's backend.
type stack struct {
	b         *bench
	name      string
	namespace string
	stack     auto.Stack
	destroyed bool
}

// newStack creates stack name running program(n) with config s, after
// checking the config and that the namespace is free.
func (b *bench) newStack(ctx context.Context, name string, n int, s settings) (*stack, error) {
	cfg, err := s.validate(name)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", name, err)
	}
	if exists, err := b.namespaceExists(ctx, cfg.Namespace); err != nil {
		return nil, err
	} else if exists {
		return nil, fmt.Errorf("namespace %s already exists (left over from an interrupted run?): kubectl delete namespace %s",
			cfg.Namespace, cfg.Namespace)
	}
	st, err := auto.UpsertStackInlineSource(ctx, name, projectName, program(n), b.workspaceOptions()...)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", name, err)
	}
	out := &stack{b: b, name: name, namespace: cfg.Namespace, stack: st}
	if err := out.set(ctx, s); err != nil {
		return nil, errors.Join(err, out.cleanup(ctx))
	}
	return out, nil
}

// set writes config keys to the stack.
func (s *stack) set(ctx context.Context, values settings) error {
	cm := auto.ConfigMap{}
	for k, v := range values.configMap() {
		cm[k] = auto.ConfigValue{Value: v}
	}
	if err := s.stack.SetAllConfig(ctx, cm); err != nil {
		return fmt.Errorf("stack %s: config: %w", s.name, err)
	}
	return nil
}

// preview runs `pulumi preview` and returns how long it took and the
// number of resources per planned operation.
func (s *stack) preview(ctx context.Context, opts ...optpreview.Option) (time.Duration, map[apitype.OpType]int, error) {
	var res auto.PreviewResult
	took, err := s.timed(func(out io.Writer) error {
		var err error
		// Parallel(0) leaves --parallel out of the command line.
		opts = append(opts, optpreview.ProgressStreams(out), optpreview.Parallel(s.b.opts.parallel))
		res, err = s.stack.Preview(ctx, opts...)
		return err
	})
	if err != nil {
		return took, nil, fmt.Errorf("stack %s: preview: %w", s.name, err)
	}
	return took, res.ChangeSummary, nil
}

// up runs `pulumi up --yes --skip-preview` and returns how long it took
// and the number of resources per operation done.
func (s *stack) up(ctx context.Context) (time.Duration, map[string]int, error) {
	var res auto.UpResult
	took, err := s.timed(func(out io.Writer) error {
		var err error
		res, err = s.stack.Up(ctx, optup.ProgressStreams(out), optup.Parallel(s.b.opts.parallel))
		return err
	})
	if err != nil {
		return took, nil, fmt.Errorf("stack %s: up: %w", s.name, err)
	}
	var changes map[string]int
	if res.Summary.ResourceChanges != nil {
		changes = *res.Summary.ResourceChanges
	}
	return took, changes, nil
}

// destroy runs `pulumi destroy` and returns how long it took.
func (s *stack) destroy(ctx context.Context) (time.Duration, error) {
	took, err := s.timed(func(out io.Writer) error {
		_, err := s.stack.Destroy(ctx, optdestroy.ProgressStreams(out), optdestroy.Parallel(s.b.opts.parallel))
		return err
	})
	if err != nil {
		return took, fmt.Errorf("stack %s: destroy: %w", s.name, err)
	}
	s.destroyed = true
	return took, nil
}

// cleanup destroys the stack unless that is done, removes it from the
// backend, and deletes its namespace if it outlived the stack. It runs even
// when ctx is done, within cleanupTimeout, and reports what it could not do.
func (s *stack) cleanup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	if !s.destroyed {
		s.b.logf("%s: destroying what it created", s.name)
		if _, err := s.destroy(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.stack.Workspace().RemoveStack(ctx, s.name); err != nil {
		errs = append(errs, fmt.Errorf("stack %s: remove: %w", s.name, err))
	}
	if err := s.b.deleteNamespace(ctx, s.namespace); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	if err != nil {
		s.b.logf("%s: cleanup: %v", s.name, err)
	}
	return err
}

// timed runs op, handing it the writer for the CLI's output, and returns
// the time from the call to the CLI's last line of output: its summary,
// printed as the command ends. What the Automation API does after the
// command (reading outputs and history after an update) is not counted.
func (s *stack) timed(op func(out io.Writer) error) (time.Duration, error) {
	w := &lastWrite{w: io.Discard}
	if s.b.opts.verbose {
		w.w = s.b.progress
	}
	start := time.Now()
	err := op(w)
	end := w.at
	if end.IsZero() {
		end = time.Now()
	}
	return end.Sub(start), err
}

// lastWrite passes writes on and remembers when the last one happened. The
// Automation API writes the CLI's output from one goroutine and waits for
// it before returning, so reading at afterwards needs no lock.
type lastWrite struct {
	w  io.Writer
	at time.Time
}

func (l *lastWrite) Write(p []byte) (int, error) {
	l.at = time.Now()
	return l.w.Write(p)
}
