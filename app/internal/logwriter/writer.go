package logwriter

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Writer is an io.Writer that buffers whole writes and passes them on to
// another writer in batches. Each Write is kept whole and in order; a
// write that is larger than the buffer, or made after Close, goes through
// at once. It is safe
// for concurrent use. Create one with New and Close it when done.
type Writer struct {
	mu     sync.Mutex
	dst    io.Writer
	buf    []byte
	err    error // the first error dst returned, reported by every later call
	closed bool  // set by Close; writes then go straight through

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// New returns a Writer that passes writes on to dst when size bytes are
// buffered and at least every interval.
func New(dst io.Writer, size int, interval time.Duration) *Writer {
	w := &Writer{
		dst:  dst,
		buf:  make([]byte, 0, size),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go w.flushEvery(interval)
	return w
}

func (w *Writer) flushEvery(interval time.Duration) {
	defer close(w.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
			// An error is kept and reported by the next Write.
			_ = w.Flush()
		}
	}
}

// Write buffers p, first writing out what is buffered if p does not fit.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	if len(w.buf)+len(p) > cap(w.buf) {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	if w.closed || len(p) > cap(w.buf) {
		if _, err := w.dst.Write(p); err != nil {
			w.err = fmt.Errorf("logwriter: %w", err)
			return 0, w.err
		}
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush writes out everything buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.dst.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("logwriter: %w", err)
	}
	return w.err
}

// Close stops the periodic flush and writes out everything buffered.
// Writes after Close are passed on at once, unbuffered.
func (w *Writer) Close() error {
	w.once.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	return w.flushLocked()
}
