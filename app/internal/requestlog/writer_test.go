package requestlog

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// lineRecorder keeps every Write as a separate line, and checks that each
// is one whole record.
type lineRecorder struct {
	mu     sync.Mutex
	writes []string
	err    error
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), r.err
}

func TestWriterOneWritePerLine(t *testing.T) {
	const goroutines, perGoroutine = 8, 200
	var rec lineRecorder
	w := NewWriter(&rec)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perGoroutine {
				e := testEntry()
				e.Path = fmt.Sprintf("/g%d/%d/%s", g, i, strings.Repeat("x", i*7))
				if err := w.Write(e); err != nil {
					t.Errorf("Write: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if len(rec.writes) != goroutines*perGoroutine {
		t.Fatalf("destination got %d writes, want %d", len(rec.writes), goroutines*perGoroutine)
	}
	seen := make(map[string]bool)
	for _, line := range rec.writes {
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "}\n") || !strings.HasPrefix(line, `{"time":`) {
			t.Fatalf("a write is not one whole line: %q", line)
		}
		seen[line] = true
	}
	if len(seen) != goroutines*perGoroutine {
		t.Errorf("%d distinct lines, want %d: a pooled buffer was shared", len(seen), goroutines*perGoroutine)
	}
}

func TestWriterMatchesAppendJSON(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	long := testEntry()
	long.Path = "/" + strings.Repeat("p", maxPooledLine)
	for _, e := range []Entry{testEntry(), long, testEntry()} {
		buf.Reset()
		if err := w.Write(e); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if want := AppendJSON(nil, e); !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("Write wrote %d bytes, want the %d of AppendJSON", buf.Len(), len(want))
		}
	}
}

func TestWriterReturnsDestinationError(t *testing.T) {
	errFull := errors.New("disk full")
	w := NewWriter(&lineRecorder{err: errFull})
	if err := w.Write(testEntry()); !errors.Is(err, errFull) {
		t.Errorf("Write error = %v, want %v", err, errFull)
	}
}
