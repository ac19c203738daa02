package logwriter

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink is a destination safe for the Writer's background flush.
type sink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	err    error
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	s.writes++
	return s.buf.Write(p)
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// never is an interval long enough that no periodic flush happens in a test.
const never = time.Hour

func TestWriter(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		writes []string
		want   string // what dst holds before Close
	}{
		{"buffered", 64, []string{"a\n", "b\n"}, ""},
		{"flushed when full", 6, []string{"aa\n", "bb\n", "cc\n"}, "aa\nbb\n"},
		{"large write in order", 4, []string{"a\n", "bbbbbbbb\n", "c\n"}, "a\nbbbbbbbb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := &sink{}
			w := New(dst, tt.size, never)
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if got := dst.String(); got != tt.want {
				t.Errorf("before Close, dst = %q, want %q", got, tt.want)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got, want := dst.String(), strings.Join(tt.writes, ""); got != want {
				t.Errorf("after Close, dst = %q, want %q", got, want)
			}
		})
	}
}

func TestWriterFlushesPeriodically(t *testing.T) {
	dst := &sink{}
	w := New(dst, 1<<10, 10*time.Millisecond)
	defer w.Close()
	w.Write([]byte("line\n"))
	deadline := time.Now().Add(5 * time.Second)
	for dst.String() != "line\n" {
		if time.Now().After(deadline) {
			t.Fatal("buffered line never written out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWriterAfterClose(t *testing.T) {
	dst := &sink{}
	w := New(dst, 1<<10, never)
	w.Close()
	w.Write([]byte("late\n"))
	if dst.String() != "late\n" {
		t.Errorf("dst = %q, want a write after Close passed on at once", dst.String())
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

func TestWriterKeepsErrors(t *testing.T) {
	broken := errors.New("broken pipe")
	dst := &sink{err: broken}
	w := New(dst, 4, never)
	if _, err := w.Write([]byte("ab")); err != nil {
		t.Fatalf("buffered Write() = %v, want nil", err)
	}
	if _, err := w.Write([]byte("cde")); !errors.Is(err, broken) {
		t.Errorf("Write() that flushes = %v, want %v", err, broken)
	}
	if _, err := w.Write([]byte("f")); !errors.Is(err, broken) {
		t.Errorf("Write() after a failure = %v, want %v", err, broken)
	}
	if err := w.Close(); !errors.Is(err, broken) {
		t.Errorf("Close() = %v, want %v", err, broken)
	}
}

// TestWriterConcurrentLines writes lines from many goroutines, as the
// service's connections do, and checks each arrives whole, in batches.
func TestWriterConcurrentLines(t *testing.T) {
	const goroutines, lines = 8, 500
	dst := &sink{}
	w := New(dst, 4<<10, time.Millisecond)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "{\"goroutine\":%d,\"line\":%d}\n", g, i)
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for line := range strings.Lines(dst.String()) {
		if !strings.HasPrefix(line, `{"goroutine":`) || !strings.HasSuffix(line, "}\n") || seen[line] {
			t.Fatalf("torn or repeated line %q", line)
		}
		seen[line] = true
	}
	if len(seen) != goroutines*lines {
		t.Errorf("%d lines arrived, want %d", len(seen), goroutines*lines)
	}
	if dst.writes >= goroutines*lines {
		t.Errorf("%d writes for %d lines: nothing was batched", dst.writes, goroutines*lines)
	}
}
