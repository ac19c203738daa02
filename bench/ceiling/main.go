package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "`address` to listen on")
	message := flag.String("message", "Hello, World!", "the `message` GET / answers with, as the service's APP_MESSAGE")
	flag.Parse()
	if err := run(*addr, *message); err != nil {
		fmt.Fprintf(os.Stderr, "ceiling: %v\n", err)
		os.Exit(1)
	}
}

func run(addr, message string) error {
	h, err := newHandler(message)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return http.Serve(ln, h)
}

// handler writes one fixed response.
type handler struct {
	body   []byte
	length string
}

// newHandler encodes the body as the service does: the JSON object
// {"message": message} and a newline.
func newHandler(message string) (handler, error) {
	body, err := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	if err != nil {
		return handler{}, fmt.Errorf("encode message: %w", err)
	}
	body = append(body, '\n')
	return handler{body: body, length: strconv.Itoa(len(body))}, nil
}

// ServeHTTP answers every request alike.
func (h handler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", h.length)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(h.body)
}
