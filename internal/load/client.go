package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// dialTimeout bounds a connect, so a server that stops accepting turns
// into counted errors rather than a stuck run.
const dialTimeout = 5 * time.Second

// errNoLength is returned for a response that a Content-Length does not frame.
var errNoLength = errors.New("response has no Content-Length")

// client sends the target's request over one keep-alive connection,
// redialling whenever the connection ends.
type client struct {
	target   target
	deadline time.Time // for every connection's I/O
	conn     net.Conn
	br       *bufio.Reader
}

// newClient returns a client of t; its deadline is set when a run starts.
func newClient(t target) *client {
	return &client{target: t}
}

// get sends the request and reads the whole response. Any status other than
// 2xx is an error. Its context is not consulted: the connection's deadline
// bounds each request, and a run's end stops the loop between requests.
func (c *client) get(context.Context) (string, error) {
	return "", c.do()
}

func (c *client) do() error {
	if c.conn == nil {
		d := net.Dialer{Timeout: dialTimeout, Deadline: c.deadline}
		conn, err := d.Dial("tcp", c.target.addr)
		if err != nil {
			return fmt.Errorf("dial: %w", err)
		}
		if err := conn.SetDeadline(c.deadline); err != nil {
			conn.Close()
			return fmt.Errorf("set deadline: %w", err)
		}
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 4<<10)
		} else {
			c.br.Reset(conn)
		}
	}
	status, err := c.roundTrip()
	if err != nil {
		c.close()
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("status %d", status)
	}
	return nil
}

// roundTrip writes the request and reads the response, closing the
// connection when the server asks to.
func (c *client) roundTrip() (status int, err error) {
	if _, err := c.conn.Write(c.target.request); err != nil {
		return 0, fmt.Errorf("write request: %w", err)
	}
	h, err := readHead(c.br)
	if err != nil {
		return 0, err
	}
	if _, err := c.br.Discard(h.length); err != nil {
		return 0, fmt.Errorf("read body: %w", err)
	}
	if h.close {
		c.close()
	}
	return h.status, nil
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// head is what the client needs from a response's status line and headers.
type head struct {
	status int
	length int
	close  bool
}

var (
	headerContentLength = []byte("content-length")
	headerConnection    = []byte("connection")
	tokenClose          = []byte("close")
)

// readHead parses the status line and headers of one response.
func readHead(br *bufio.Reader) (head, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return head{}, fmt.Errorf("read status line: %w", err)
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return head{}, fmt.Errorf("malformed status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return head{}, fmt.Errorf("malformed status line %q", line)
	}
	h := head{status: status, length: -1}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return head{}, fmt.Errorf("read header: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return head{}, fmt.Errorf("malformed header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, headerContentLength):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return head{}, fmt.Errorf("malformed Content-Length %q", value)
			}
			h.length = n
		case bytes.EqualFold(name, headerConnection):
			h.close = bytes.EqualFold(value, tokenClose)
		}
	}
	if h.length < 0 {
		if !bodyless(h.status) {
			return head{}, fmt.Errorf("status %d: %w", h.status, errNoLength)
		}
		h.length = 0
	}
	return h, nil
}

// bodyless reports whether a response with status never has a body.
func bodyless(status int) bool {
	return status/100 == 1 || status == 204 || status == 304
}
