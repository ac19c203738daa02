package server

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microstack/microstack/app/internal/config"
)

func TestMaxHeaderBytes(t *testing.T) {
	cfg := testConfig()
	cfg.MaxHeaderBytes = 1024
	r := start(t, newTestServer(t, cfg))
	tests := []struct {
		name       string
		headerSize int
		want       int
	}{
		{"within limit", 512, http.StatusOK},
		// net/http allows 4 KiB of slack above MaxHeaderBytes.
		{"far beyond limit", 64 << 10, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, r.url+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Padding", strings.Repeat("p", tt.headerSize))
			resp, err := freshClient().Do(req)
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	const headerTimeout = 200 * time.Millisecond
	cfg := testConfig()
	cfg.ReadHeaderTimeout = headerTimeout
	r := start(t, newTestServer(t, cfg))

	// Timed from before the dial: the server's deadline cannot start
	// earlier than the connection.
	start := time.Now()
	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	// Trickle a never-ending header, one byte at a time, well under the
	// rate that would finish it in time.
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		msg := "GET / HTTP/1.1\r\nHost: test\r\nX-Slow: " + strings.Repeat("s", 1000)
		for i := 0; i < len(msg); i++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{msg[i]}); err != nil {
				return
			}
		}
	}()

	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	// Depending on the Go version the server closes the connection
	// silently or after a 400; either way the request never reaches a
	// handler and the connection is gone.
	reply, err := io.ReadAll(conn)
	took := time.Since(start)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("connection still open after %v", took)
	}
	if len(reply) > 0 && !strings.HasPrefix(string(reply), "HTTP/1.1 400 ") {
		t.Errorf("server answered %q, want no answer or 400", reply)
	}
	if took < headerTimeout {
		t.Errorf("connection closed after %v, before ReadHeaderTimeout %v", took, headerTimeout)
	}
}

// rawConn dials the server for a test that speaks HTTP/1.1 by hand, with a
// deadline that bounds the whole exchange.
func rawConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	return conn
}

// readUntilClosed reads what the server sends until it closes the
// connection, failing the test if the deadline comes first.
func readUntilClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	reply, err := io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("connection still open; received %q", reply)
	}
	return string(reply)
}

func TestSlowBodyIsCutOff(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	cfg := testConfig()
	cfg.ReadTimeout = readTimeout
	r := start(t, newTestServer(t, cfg))

	start := time.Now()
	conn := rawConn(t, r.addr)
	// A body within the 1 KiB bound, announced in full and sent a byte
	// every 20ms: it would take 10s to arrive.
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\nContent-Length: 500\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range 500 {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte("b")); err != nil {
				return
			}
		}
	}()

	reply := readUntilClosed(t, conn)
	took := time.Since(start)
	if strings.HasPrefix(reply, "HTTP/1.1 200 ") {
		t.Errorf("a body that never finished was answered with 200:\n%s", reply)
	}
	if took < readTimeout {
		t.Errorf("connection closed after %v, before ReadTimeout %v", took, readTimeout)
	}
}

func TestOversizedBodyIsRefusedUnread(t *testing.T) {
	r := start(t, newTestServer(t, testConfig()))
	conn := rawConn(t, r.addr)
	// Announce 64 MiB and send none of it: the answer must not wait for it.
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\nContent-Length: 67108864\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	reply := readUntilClosed(t, conn)
	for _, want := range []string{"HTTP/1.1 413 ", "Connection: close", `{"error":"request body exceeds 1024 bytes"}`} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
}

func TestIdleConnectionsAreClosed(t *testing.T) {
	const idleTimeout = 200 * time.Millisecond
	cfg := testConfig()
	cfg.IdleTimeout = idleTimeout
	r := start(t, newTestServer(t, cfg))
	conn := rawConn(t, r.addr)
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	answered := time.Now()
	reply := readUntilClosed(t, conn)
	took := time.Since(answered)
	if !strings.HasPrefix(reply, "HTTP/1.1 200 ") || strings.Contains(reply, "Connection: close") {
		t.Errorf("reply = %q, want a keep-alive 200", reply)
	}
	if took < idleTimeout {
		t.Errorf("idle connection closed after %v, before IdleTimeout %v", took, idleTimeout)
	}
}

// TestStalledReaderIsCutOff pipelines requests on a connection whose
// client never reads the answers: once the socket buffers are full the
// server's writes block, and WriteTimeout must end them and the
// connection, rather than hold both for as long as the client waits.
// The client only writes, so nothing it does unblocks the server; the
// server's close resets the connection, which fails the client's write.
func TestStalledReaderIsCutOff(t *testing.T) {
	const (
		writeTimeout = 200 * time.Millisecond
		// Bounds the whole exchange; without the timeout the client's
		// writes block until this passes.
		clientTimeout = 10 * time.Second
	)
	cfg := testConfig()
	cfg.WriteTimeout = writeTimeout
	r := start(t, newTestServer(t, cfg))
	dialer := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	conn, err := dialer.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(clientTimeout))

	// Scrapes are the largest answers, some kilobytes each.
	batch := []byte(strings.Repeat("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n", 100))
	for {
		_, err = conn.Write(batch)
		if err != nil {
			break
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the server still held the connection after %v: %v", clientTimeout, err)
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write error = %v, want the connection reset by the server", err)
	}
}

func TestDeadlineResolution(t *testing.T) {
	cfg := func(header, read, write, idle time.Duration) config.Config {
		c := testConfig()
		c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout = header, read, write, idle
		return c
	}
	tests := []struct {
		name string
		cfg  config.Config
		want time.Duration
	}{
		{"defaults", config.Default(), maxDeadlineResolution},
		{"a tenth of the shortest", cfg(time.Second, 10*time.Second, 900*time.Millisecond, time.Minute), 90 * time.Millisecond},
		{"the idle timeout counts", cfg(time.Minute, time.Minute, time.Minute, 500*time.Millisecond), 50 * time.Millisecond},
		{"never below the floor", cfg(time.Millisecond, time.Second, time.Second, time.Second), minDeadlineResolution},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadlineResolution(tt.cfg); got != tt.want {
				t.Errorf("deadlineResolution = %v, want %v", got, tt.want)
			}
		})
	}
}
