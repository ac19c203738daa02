package deadline

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// pair returns the two ends of a loopback TCP connection: the one accepted
// by a Listener of resolution, and the peer that dialled it.
func pair(t testing.TB, resolution time.Duration) (l *Listener, accepted, peer net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l = NewListener(ln, resolution)
	t.Cleanup(func() { l.Close() })
	peer, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	accepted, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accepted.Close() })
	return l, accepted, peer
}

// blockWrite writes to c until a write fails, which needs a peer that
// does not read; it returns that error.
func blockWrite(c net.Conn) error {
	buf := make([]byte, 64<<10)
	for {
		if _, err := c.Write(buf); err != nil {
			return err
		}
	}
}

func readOne(c net.Conn) error {
	_, err := c.Read(make([]byte, 1))
	return err
}

func TestDeadlineInterruptsWithinResolution(t *testing.T) {
	const (
		resolution = 20 * time.Millisecond
		timeout    = 100 * time.Millisecond
		// Scheduling on a loaded machine can delay a sweep; a deadline
		// that never fired would fail the test by the peer's bound.
		slack = 400 * time.Millisecond
	)
	tests := []struct {
		name string
		set  func(net.Conn, time.Time) error
		op   func(net.Conn) error
	}{
		{"read deadline, blocked read", net.Conn.SetReadDeadline, readOne},
		{"write deadline, blocked write", net.Conn.SetWriteDeadline, blockWrite},
		{"both deadlines, blocked read", net.Conn.SetDeadline, readOne},
		{"both deadlines, blocked write", net.Conn.SetDeadline, blockWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, _ := pair(t, resolution)
			start := time.Now()
			if err := tt.set(c, start.Add(timeout)); err != nil {
				t.Fatal(err)
			}
			err := tt.op(c)
			took := time.Since(start)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("error = %v, want %v", err, os.ErrDeadlineExceeded)
			}
			if took < timeout {
				t.Errorf("interrupted after %v, before the deadline %v", took, timeout)
			}
			if took > timeout+resolution+slack {
				t.Errorf("interrupted after %v, long after the deadline %v (resolution %v)", took, timeout, resolution)
			}
		})
	}
}

// TestPastDeadlineAppliesAtOnce sets deadlines that have passed on a
// listener that never sweeps within the test: they must still interrupt
// at once, as net/http's abort of its background read needs.
func TestPastDeadlineAppliesAtOnce(t *testing.T) {
	tests := []struct {
		name     string
		deadline func(start time.Time) time.Time
	}{
		{"long ago", func(time.Time) time.Time { return time.Unix(1, 0) }},
		{"before the listener was created", func(start time.Time) time.Time { return start.Add(-time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, c, _ := pair(t, time.Hour)
			errc := make(chan error, 1)
			go func() { errc <- readOne(c) }()
			time.Sleep(20 * time.Millisecond) // let the read block
			if err := c.SetReadDeadline(tt.deadline(start)); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-errc:
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("error = %v, want %v", err, os.ErrDeadlineExceeded)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("a past deadline did not interrupt the blocked read")
			}
		})
	}
}

// TestDeadlineChangedBeforeItPasses moves or clears a deadline before it
// passes: the read must then wait for the peer, not fail.
func TestDeadlineChangedBeforeItPasses(t *testing.T) {
	const resolution = 10 * time.Millisecond
	tests := []struct {
		name  string
		later time.Duration // the second deadline, from now; 0 clears it
	}{
		{"extended", time.Minute},
		{"cleared", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, peer := pair(t, resolution)
			if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			var second time.Time
			if tt.later > 0 {
				second = time.Now().Add(tt.later)
			}
			if err := c.SetReadDeadline(second); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50*time.Millisecond + 5*resolution) // the first deadline is long gone
			if _, err := peer.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := readOne(c); err != nil {
				t.Errorf("read after the deadline was %s: %v", tt.name, err)
			}
		})
	}
}

// TestExpiredDeadlineIsReset lets a deadline expire, then sets a new one:
// as with a plain connection, operations work again.
func TestExpiredDeadlineIsReset(t *testing.T) {
	tests := []struct {
		name string
		next func() time.Time
	}{
		{"to none", func() time.Time { return time.Time{} }},
		{"to the future", func() time.Time { return time.Now().Add(time.Minute) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, peer := pair(t, 10*time.Millisecond)
			if err := c.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			if err := readOne(c); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("first read: error = %v, want %v", err, os.ErrDeadlineExceeded)
			}
			if err := c.SetReadDeadline(tt.next()); err != nil {
				t.Fatal(err)
			}
			if _, err := peer.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := readOne(c); err != nil {
				t.Errorf("read after resetting the deadline %s: %v", tt.name, err)
			}
		})
	}
}

// TestSweepRunsOnlyWithConnections checks that the sweep stops once the
// last connection closes and starts again with the next.
func TestSweepRunsOnlyWithConnections(t *testing.T) {
	const resolution = 5 * time.Millisecond
	l, c, _ := pair(t, resolution)
	if !sweeping(l) {
		t.Fatal("no sweep with a connection open")
	}
	c.Close()
	waitFor(t, func() bool { return !sweeping(l) }, "the sweep to stop after the last close")

	peer, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c2, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if !sweeping(l) {
		t.Fatal("no sweep after a new connection")
	}
	if err := c2.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := readOne(c2); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read on the new connection: error = %v, want %v", err, os.ErrDeadlineExceeded)
	}
}

func sweeping(l *Listener) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sweeping
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestCloseWriteReachesThePeer(t *testing.T) {
	_, c, peer := pair(t, time.Hour)
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("an accepted connection has no CloseWrite")
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := peer.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("peer read = %d, %v; want 0, EOF", n, err)
	}
}

func TestNewListenerRefusesNonPositiveResolution(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewListener(ln, 0) did not panic")
		}
	}()
	NewListener(nil, 0)
}
