package server

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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
