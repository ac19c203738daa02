package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/microstack/microstack/internal/load"
	"github.com/microstack/microstack/internal/probe"
)

var client = &http.Client{Timeout: 5 * time.Second}

func getMessage(ctx context.Context, url string) (string, error) {
	return probe.Message(ctx, client, url)
}

// waitMessage polls url until it serves want.
func waitMessage(ctx context.Context, url, want string, timeout time.Duration) error {
	return waitMessageWith(ctx, client, url, want, timeout)
}

// waitMessageWith is waitMessage through c.
func waitMessageWith(ctx context.Context, c *http.Client, url, want string, timeout time.Duration) error {
	var last string
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		last, lastErr = probe.Message(ctx, c, url)
		return lastErr == nil && last == want, nil
	})
	if err != nil {
		return fmt.Errorf("%s never served %q in %v: last %q, %v", url, want, timeout, last, lastErr)
	}
	return nil
}

// Load bounds: a few hundred requests a second at most, for at most
// maxLoadDuration, on the Service's ClusterIP only. Samples of latency
// are kept only as many as a bounded run needs.
const (
	loadWorkers     = 4
	loadPause       = 10 * time.Millisecond
	maxLoadDuration = 3 * time.Minute
	loadSamples     = 1 << 12
)

// steadyLoad sends GET / to url from a few workers, pausing between
// requests, until stop is called, then reports every request's fate and
// the messages answered.
func steadyLoad(t *testing.T, url string) (stop func() load.Result) {
	return startLoad(t, client, url, loadWorkers, loadPause, maxLoadDuration)
}

// startLoad sends GET / to url through c from workers, each pausing
// between its requests, until stop is called or limit has passed.
func startLoad(t *testing.T, c *http.Client, url string, workers int, pause, limit time.Duration) (stop func() load.Result) {
	t.Helper()
	stop, err := load.Start(load.Config{
		Get:        func(ctx context.Context) (string, error) { return probe.Message(ctx, c, url) },
		Conns:      workers,
		Pause:      pause,
		Duration:   limit,
		MaxSamples: loadSamples,
	})
	if err != nil {
		t.Fatalf("start load on %s: %v", url, err)
	}
	return stop
}
