package requestlog

import (
	"io"
	"sync"
)

// Line buffers start at lineSize, which holds a request line with a short
// path, route and address (about 230 bytes). One grown past maxPooledLine,
// by a path near the header size limit, is left to the garbage collector
// rather than kept for every later request.
const (
	lineSize      = 512
	maxPooledLine = 64 << 10
)

// Writer writes entries to an io.Writer, one Write call per line, so that
// lines from concurrent requests never interleave in a destination that,
// like the service's log writer, keeps each Write whole. Create one with
// NewWriter; it is safe for concurrent use if its destination is.
type Writer struct {
	dst io.Writer
	// lines recycles line buffers, which saves each request an
	// allocation.
	lines sync.Pool
	// seconds spares the requests of one second formatting its date
	// and clock each.
	seconds secondCache
}

// NewWriter returns a Writer that writes to dst.
func NewWriter(dst io.Writer) *Writer {
	return &Writer{
		dst: dst,
		lines: sync.Pool{New: func() any {
			b := make([]byte, 0, lineSize)
			return &b
		}},
	}
}

// Write writes e as one JSON line.
func (w *Writer) Write(e Entry) error {
	line := w.lines.Get().(*[]byte)
	*line = appendJSON((*line)[:0], e, &w.seconds)
	_, err := w.dst.Write(*line)
	if cap(*line) <= maxPooledLine {
		w.lines.Put(line)
	}
	return err
}
