package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/microstack/microstack/internal/contract"
)

// topFrames is how many functions of the profile the report lists.
const topFrames = 10

// cpuProfile runs the profiling build of the service under profileConns
// connections, takes a CPU profile of it through net/http/pprof for the
// measured duration and returns `go tool pprof -top` of it.
func (b *bench) cpuProfile(ctx context.Context, bins binaries) (string, error) {
	pprofPort, err := freePort()
	if err != nil {
		return "", err
	}
	pprofAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(pprofPort))
	app, err := startApp(ctx, bins.appProfiling, b.opts.message, []string{contract.EnvPprofAddr + "=" + pprofAddr})
	if err != nil {
		return "", err
	}
	defer app.stop()

	// The profile covers whole seconds inside the load's measured window.
	seconds := max(1, int(b.opts.duration.Seconds()))
	loadErr := make(chan error, 1)
	go func() {
		_, err := b.load(ctx, app.url, profileConns, b.opts.warmup, b.opts.duration)
		loadErr <- err
	}()
	select {
	case <-time.After(b.opts.warmup):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	profile := filepath.Join(b.dir, "cpu.pprof")
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, seconds)
	if err := download(ctx, url, profile); err != nil {
		return "", err
	}
	if err := <-loadErr; err != nil {
		return "", err
	}

	cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount="+strconv.Itoa(topFrames),
		bins.appProfiling, profile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %w\n%s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// download saves what url answers to path.
func download(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("fetch profile: %s: %s", resp.Status, msg)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("save profile: %w", err)
	}
	return f.Close()
}
