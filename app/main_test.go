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

func TestRunServesUntilCancelled(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env(map[string]string{
			"APP_PORT":        strconv.Itoa(port),
			"APP_DRAIN_DELAY": "0s",
		}), &stdout, &stderr)
	}()

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never answered: %v\nstderr: %s\nstdout: %s", err, stderr.String(), stdout.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("run() = %d, want %d\n%s", code, exitOK, stdout.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	for _, want := range []string{`"msg":"starting microstack"`, `"msg":"server listening"`, `"msg":"server stopped"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, stdout.String())
		}
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
