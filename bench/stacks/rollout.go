package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/microstack/microstack/bench/load"
	"github.com/microstack/microstack/internal/probe"
)

// Load around the rollout: it runs steadily for loadLead before `pulumi up`
// and for loadTail after the last old pod is gone; maxLoad only bounds a
// run whose rollout never ends.
const (
	loadLead = 2 * time.Second
	loadTail = time.Second
	maxLoad  = 30 * time.Minute
)

// rolloutFigures are what the rollout of a message change measured.
type rolloutFigures struct {
	replicas int
	conns    int
	url      string
	changes  map[string]int // resources per operation of the up
	up       time.Duration  // pulumi up: until every new pod was Ready
	settled  time.Duration  // from the start of up until only new pods remained
	load     load.Result    // the whole load, from before up to after settled
}

// measureRollout deploys one service with rolloutReplicas pods, then
// changes its message under a steady load through the Service's ClusterIP
// and counts the requests that failed.
func (b *bench) measureRollout(ctx context.Context) (fig rolloutFigures, err error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.timeout)
	defer cancel()
	fig.replicas, fig.conns = rolloutReplicas, b.opts.conns
	st, err := b.newStack(ctx, "rollout", 1, rolloutSettings(b.image, rolloutMessage))
	if err != nil {
		return fig, err
	}
	defer func() { err = errors.Join(err, st.cleanup(ctx)) }()

	b.logf("rollout: up of 1 service with %d replicas", rolloutReplicas)
	if _, _, err := st.up(ctx); err != nil {
		return fig, err
	}
	if fig.url, err = probe.ClusterIPURL(ctx, b.kube, st.namespace, serviceName(serviceNamePrefix, 1)); err != nil {
		return fig, err
	}
	if err := waitMessage(ctx, fig.url, rolloutMessage); err != nil {
		return fig, err
	}
	if err := st.set(ctx, rolloutSettings(b.image, rolledMessage)); err != nil {
		return fig, err
	}

	b.logf("rollout: load on %s with %d connections; up of the message change", fig.url, fig.conns)
	stop := startLoad(ctx, fig.url, fig.conns)
	err = b.rollOut(ctx, st, &fig)
	var loadErr error
	fig.load, loadErr = stop()
	if err != nil || loadErr != nil {
		return fig, errors.Join(err, loadErr)
	}
	b.logf("rollout: up %s, settled after %s; %d requests, %d failed",
		seconds(fig.up), seconds(fig.settled), fig.load.Requests+fig.load.Errors, fig.load.Errors)
	return fig, nil
}

// rollOut applies the changed config while the load runs, and returns once
// only new pods serve and the load has run on them for loadTail.
func (b *bench) rollOut(ctx context.Context, st *stack, fig *rolloutFigures) error {
	if err := sleep(ctx, loadLead); err != nil {
		return err
	}
	start := time.Now()
	var err error
	if fig.up, fig.changes, err = st.up(ctx); err != nil {
		return err
	}
	err = poll(ctx, func() (bool, error) { return b.settled(ctx, st.namespace, fig.replicas) })
	fig.settled = time.Since(start)
	if err != nil {
		return fmt.Errorf("rollout: waiting for the old pods to go: %w", err)
	}
	if err := waitMessage(ctx, fig.url, rolledMessage); err != nil {
		return err
	}
	return sleep(ctx, loadTail)
}

// startLoad runs a steady closed-loop load on url until stop is called.
func startLoad(ctx context.Context, url string, conns int) (stop func() (load.Result, error)) {
	ctx, cancel := context.WithCancel(ctx)
	type outcome struct {
		res load.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := load.Run(ctx, load.Config{URL: url, Conns: conns, Duration: maxLoad})
		done <- outcome{res, err}
	}()
	return func() (load.Result, error) {
		cancel()
		o := <-done
		// Stopping the load is how it ends; the result covers the time it ran.
		if errors.Is(o.err, context.Canceled) {
			o.err = nil
		}
		return o.res, o.err
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// waitMessage polls url until GET / answers want.
func waitMessage(ctx context.Context, url, want string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	var got string
	var lastErr error
	err := poll(ctx, func() (bool, error) {
		got, lastErr = probe.Message(ctx, client, url)
		return lastErr == nil && got == want, nil
	})
	if err != nil {
		return fmt.Errorf("%s never answered %q: last %q, %v: %w", url, want, got, lastErr, err)
	}
	return nil
}
