package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

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

// loadReport counts what a steady load saw.
type loadReport struct {
	Requests, Failures int
	Messages           map[string]int
	FirstFailure       error
}

// Load bounds: a few hundred requests a second at most, for at most
// maxLoadDuration, on the Service's ClusterIP only.
const (
	loadWorkers     = 4
	loadPause       = 10 * time.Millisecond
	maxLoadDuration = 3 * time.Minute
)

// steadyLoad sends GET / to url from a few workers, pausing between
// requests, until stop is called, then reports every request's fate.
func steadyLoad(url string) (stop func() loadReport) {
	return startLoad(client, url, loadWorkers, loadPause, maxLoadDuration)
}

// startLoad sends GET / to url through c from workers, each pausing
// between its requests, until stop is called or limit has passed.
func startLoad(c *http.Client, url string, workers int, pause, limit time.Duration) (stop func() loadReport) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	var mu sync.Mutex
	rep := loadReport{Messages: map[string]int{}}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				msg, err := probe.Message(ctx, c, url)
				if ctx.Err() != nil {
					return // the load was stopped mid-request: not the app's failure
				}
				mu.Lock()
				rep.Requests++
				if err != nil {
					rep.Failures++
					if rep.FirstFailure == nil {
						rep.FirstFailure = err
					}
				} else {
					rep.Messages[msg]++
				}
				mu.Unlock()
				time.Sleep(pause)
			}
		}()
	}
	return func() loadReport {
		cancel()
		wg.Wait()
		return rep
	}
}
