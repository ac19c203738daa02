package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// blocker is a handler that holds each request until released, standing in
// for a slow request that is in flight when shutdown begins.
type blocker struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlocker(t *testing.T) *blocker {
	b := &blocker{started: make(chan struct{}, 1), release: make(chan struct{})}
	t.Cleanup(b.unblock)
	return b
}

func (b *blocker) unblock() { b.once.Do(func() { close(b.release) }) }

func (b *blocker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.started <- struct{}{}
	select {
	case <-b.release:
		io.WriteString(w, "finished")
	case <-r.Context().Done():
	}
}

// startSlow sends GET /slow and returns once the handler holds it.
func startSlow(t *testing.T, r *running, b *blocker) <-chan error {
	t.Helper()
	result := make(chan error, 1)
	go func() {
		status, body, err := get(t, freshClient(), r.url+"/slow")
		switch {
		case err != nil:
			result <- err
		case status != http.StatusOK || body != "finished":
			result <- errors.New("slow request got " + http.StatusText(status) + " " + body)
		default:
			result <- nil
		}
	}()
	select {
	case <-b.started:
	case <-time.After(5 * time.Second):
		t.Fatal("slow request never reached its handler")
	}
	return result
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	// Long enough that the checks below finish inside the drain window
	// even on a loaded machine.
	const drain = time.Second
	cfg := testConfig()
	cfg.DrainDelay = drain
	cfg.ShutdownTimeout = 5 * time.Second
	b := newBlocker(t)
	r := start(t, newTestServer(t, cfg, WithRoute("GET /slow", b)))
	client := freshClient()

	if status, _, err := get(t, client, r.url+"/readyz"); err != nil || status != http.StatusOK {
		t.Fatalf("readyz before shutdown = %d, %v; want 200", status, err)
	}
	slow := startSlow(t, r, b)

	stopped := time.Now()
	r.cancel()

	// During the drain delay the server still accepts connections and
	// tells the probes it is going away. Cancellation reaches Serve
	// asynchronously, so the first probe may still see it ready.
	waitStatus(t, client, r.url+"/readyz", http.StatusServiceUnavailable, drain)
	if status, _, err := get(t, client, r.url+"/"); err != nil || status != http.StatusOK {
		t.Errorf("GET / during drain = %d, %v; want 200", status, err)
	}

	// After the drain delay the listener is closed.
	waitRefused(t, r.addr, drain+2*time.Second)
	if waited := time.Since(stopped); waited < drain {
		t.Errorf("connections refused after %v, before the %v drain delay", waited, drain)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Serve returned %v while a request was in flight", err)
	default:
	}

	b.unblock()
	if err := <-slow; err != nil {
		t.Errorf("in-flight request: %v", err)
	}
	if err := r.wait(t, 2*time.Second); err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
}

// waitStatus polls url until it answers with want.
func waitStatus(t *testing.T, c *http.Client, url string, want int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		status, body, err := get(t, c, url)
		if err == nil && status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s = %d %q, %v; want %d within %v", url, status, body, err, want, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRefused polls until dialing addr fails.
func waitRefused(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s still accepted connections after %v", addr, limit)
}

func TestShutdownTimeoutExpires(t *testing.T) {
	const timeout = 200 * time.Millisecond
	cfg := testConfig()
	cfg.ShutdownTimeout = timeout
	b := newBlocker(t)
	r := start(t, newTestServer(t, cfg, WithRoute("GET /slow", b)))
	slow := startSlow(t, r, b)

	stopped := time.Now()
	r.cancel()
	err := r.wait(t, timeout+3*time.Second)
	if took := time.Since(stopped); took < timeout {
		t.Errorf("Serve returned after %v, before the %v timeout", took, timeout)
	}
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still in flight") {
		t.Errorf("Serve() = %v, want a shutdown timeout error", err)
	}
	// The straggler's connection is closed rather than left hanging.
	select {
	case err := <-slow:
		if err == nil {
			t.Error("in-flight request succeeded after the shutdown timeout")
		}
	case <-time.After(5 * time.Second):
		t.Error("in-flight request still hanging after Serve returned")
	}
}

func TestShutdownWithoutRequestsIsPrompt(t *testing.T) {
	cfg := testConfig()
	cfg.DrainDelay = 50 * time.Millisecond
	r := start(t, newTestServer(t, cfg))
	if status, _, err := get(t, freshClient(), r.url+"/"); err != nil || status != http.StatusOK {
		t.Fatalf("GET / = %d, %v", status, err)
	}
	r.cancel()
	if err := r.wait(t, cfg.DrainDelay+time.Second); err != nil {
		t.Errorf("Serve() = %v, want nil", err)
	}
}

func TestServeReportsListenerFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = newTestServer(t, testConfig()).Serve(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), "serve on") {
		t.Errorf("Serve() on a closed listener = %v, want a serve error", err)
	}
}

// TestDrainKeepsIdleConnectionsUsable sends a request on a keep-alive
// connection that sat idle while the drain began, as a client that does
// not retry: it must be answered, with "Connection: close", and the
// connection then closed by the server.
func TestDrainKeepsIdleConnectionsUsable(t *testing.T) {
	cfg := testConfig()
	cfg.DrainDelay = 2 * time.Second
	r := start(t, newTestServer(t, cfg))
	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	if resp := rawGet(t, conn, br); resp.Close {
		t.Fatal("first response closes the connection before any drain")
	}

	r.cancel()
	waitStatus(t, freshClient(), r.url+"/readyz", http.StatusServiceUnavailable, time.Second)
	resp := rawGet(t, conn, br)
	if resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("request on the idle connection during the drain = %d, close %v; want 200 and Connection: close", resp.StatusCode, resp.Close)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := br.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("after the closing response, read = %d, %v; want EOF", n, err)
	}
}

// rawGet writes GET / on conn and reads the whole response.
func rawGet(t *testing.T, conn net.Conn, br *bufio.Reader) *http.Response {
	t.Helper()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp
}
