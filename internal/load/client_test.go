package load

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

func TestReadHead(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    head
		wantErr bool
	}{
		{"framed", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", head{status: 200, length: 5}, false},
		{"header case", "HTTP/1.1 201 Created\r\ncontent-LENGTH:3\r\nCONNECTION: Close\r\n\r\nabc", head{status: 201, length: 3, close: true}, false},
		{"keep-alive", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", head{status: 200}, false},
		{"no content", "HTTP/1.1 204 No Content\r\n\r\n", head{status: 204}, false},
		{"HTTP/1.0", "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 2\r\n\r\nno", head{status: 503, length: 2}, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", head{}, true},
		{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", head{}, true},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", head{}, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", head{}, true},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", head{}, true},
		{"cut short", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", head{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readHead(bufio.NewReader(strings.NewReader(tt.raw)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("readHead() error = %v, want error: %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("readHead() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadHeadNamesMissingLength(t *testing.T) {
	_, err := readHead(bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\n\r\n")))
	if !errors.Is(err, errNoLength) {
		t.Errorf("readHead() error = %v, want %v", err, errNoLength)
	}
}

func TestParseTarget(t *testing.T) {
	tg, err := parseTarget("http://127.0.0.1:8080/a?b=c")
	if err != nil {
		t.Fatal(err)
	}
	if tg.addr != "127.0.0.1:8080" {
		t.Errorf("addr = %q", tg.addr)
	}
	want := "GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: microstack-bench\r\n\r\n"
	if string(tg.request) != want {
		t.Errorf("request = %q, want %q", tg.request, want)
	}
	if tg, _ := parseTarget("http://localhost/"); tg.addr != "localhost:80" {
		t.Errorf("addr without port = %q, want localhost:80", tg.addr)
	}
}
