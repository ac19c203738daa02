package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env(map[string]string{
		"APP_PORT":      "99999",
		"APP_LOG_LEVEL": "loud",
	}), &stdout, &stderr)
	if code != exitConfig {
		t.Errorf("run() = %d, want %d", code, exitConfig)
	}
	msg := stderr.String()
	for _, want := range []string{
		"microstack: invalid configuration:",
		`APP_PORT: "99999" is out of range: set an integer from 1 to 65535`,
		`APP_LOG_LEVEL: "loud" is not a log level`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing before the logger exists", stdout.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunRejectsBadPprofAddr(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env(map[string]string{"APP_PPROF_ADDR": "6060"}), &stdout, &stderr)
	want := `APP_PPROF_ADDR: "6060" is not HOST:PORT: set HOST:PORT, such as 127.0.0.1:6060`
	if code != exitConfig || !strings.Contains(stderr.String(), want) {
		t.Errorf("run() = %d, stderr %q; want %d and %q", code, stderr.String(), exitConfig, want)
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	r := startRun(t, nil)
	code := r.stop(t)
	if code != exitOK {
		t.Errorf("run() = %d, want %d\n%s", code, exitOK, r.stdout.String())
	}
	for _, want := range []string{`"msg":"starting microstack"`, `"msg":"server listening"`, `"msg":"server stopped"`} {
		if !strings.Contains(r.stdout.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, r.stdout.String())
		}
	}
}

// running is run serving in the background.
type running struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startRun starts run on a free port with extra variables and waits until
// it answers /healthz.
func startRun(t *testing.T, extra map[string]string) *running {
	t.Helper()
	port := freePort(t)
	vars := map[string]string{"APP_PORT": strconv.Itoa(port), "APP_DRAIN_DELAY": "0s"}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan int, 1)}
	t.Cleanup(cancel)
	go func() { r.done <- run(ctx, env(vars), &r.stdout, &r.stderr) }()

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered: %v\nstderr: %s\nstdout: %s", err, r.stderr.String(), r.stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startRunWithPprof is startRun with APP_PPROF_ADDR set to a free address,
// which it returns.
func startRunWithPprof(t *testing.T) (*running, string) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	return startRun(t, map[string]string{"APP_PPROF_ADDR": addr}), addr
}

// listens reports whether something accepts connections on addr.
func listens(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// stop cancels run and returns its exit code.
func (r *running) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		return code
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancellation")
		return -1
	}
}

// freePort returns a TCP port that was free a moment ago. run only takes a
// port number, so the test cannot hand it a listener.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
