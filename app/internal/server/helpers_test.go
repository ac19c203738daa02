package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/microstack/microstack/app/internal/buildinfo"
	"github.com/microstack/microstack/app/internal/config"
)

const testMessage = "Hello from the tests"

// testBuild is what /version reports in tests.
func testBuild() buildinfo.Info {
	return buildinfo.Info{Version: "v1.2.3", Commit: "abc123", GoVersion: "go1.26.0"}
}

// testConfig returns a valid configuration with timings short enough for
// tests.
func testConfig() config.Config {
	c := config.Default()
	c.Message = testMessage
	c.DrainDelay = 0
	c.ShutdownTimeout = 2 * time.Second
	return c
}

func newTestServer(t testing.TB, cfg config.Config, opts ...Option) *Server {
	t.Helper()
	opts = append([]Option{WithBuildInfo(testBuild())}, opts...)
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return s
}

// running is a Server serving on a loopback listener in the background.
type running struct {
	srv    *Server
	url    string
	addr   string
	cancel context.CancelFunc
	done   chan error
}

// start serves s on 127.0.0.1:0 until the test ends or stop is called.
func start(t *testing.T, s *Server) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{
		srv:    s,
		addr:   ln.Addr().String(),
		url:    "http://" + ln.Addr().String(),
		cancel: cancel,
		done:   make(chan error, 1),
	}
	go func() { r.done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after the test")
		}
	})
	return r
}

// wait returns Serve's result, failing the test if it takes longer than
// limit.
func (r *running) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // leave it for Cleanup
		return err
	case <-time.After(limit):
		t.Fatalf("Serve did not return within %v", limit)
		return nil
	}
}

// freshClient opens a new connection per request, as a client that is
// routed anew by the load balancer would.
func freshClient() *http.Client {
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true},
	}
}

// get returns the status and body of GET url.
func get(t *testing.T, c *http.Client, url string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
