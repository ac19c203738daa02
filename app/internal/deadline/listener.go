package deadline

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Listener is a net.Listener whose connections keep their deadlines as
// described in the package documentation. Create one with NewListener.
type Listener struct {
	net.Listener
	resolution time.Duration

	// now is the time of the last sweep, or of NewListener before the
	// first: a deadline before it has certainly passed, so a connection
	// applies it at once without reading the clock.
	now atomic.Pointer[time.Time]

	mu       sync.Mutex
	conns    map[*conn]struct{}
	sweeping bool // a sweep goroutine runs; it stops when conns is empty
}

// NewListener returns a Listener that accepts from ln and enforces its
// connections' deadlines every resolution, which must be positive.
func NewListener(ln net.Listener, resolution time.Duration) *Listener {
	if resolution <= 0 {
		panic("deadline: non-positive resolution")
	}
	l := &Listener{Listener: ln, resolution: resolution, conns: map[*conn]struct{}{}}
	now := time.Now()
	l.now.Store(&now)
	return l
}

// Accept waits for the next connection and returns it wrapped.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	dc := &conn{Conn: c, l: l}
	l.track(dc)
	return dc, nil
}

// track adds c to the swept connections, starting the sweep if it was
// idle.
func (l *Listener) track(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns[c] = struct{}{}
	if !l.sweeping {
		l.sweeping = true
		go l.sweepEvery()
	}
}

// untrack removes c from the swept connections.
func (l *Listener) untrack(c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, c)
}

// sweepEvery expires deadlines every resolution until no connection is
// left open.
func (l *Listener) sweepEvery() {
	tick := time.NewTicker(l.resolution)
	defer tick.Stop()
	var open []*conn
	for now := range tick.C {
		l.now.Store(&now)
		open = l.snapshot(open[:0])
		if open == nil {
			return
		}
		for _, c := range open {
			c.expire(now)
		}
		clear(open) // drop the references until the next sweep
	}
}

// snapshot appends the open connections to dst. With none open it returns
// nil and marks the sweep stopped, under the same lock as track reads it.
func (l *Listener) snapshot(dst []*conn) []*conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) == 0 {
		l.sweeping = false
		return nil
	}
	for c := range l.conns {
		dst = append(dst, c)
	}
	return dst
}

// passed reports whether t, which is not zero, has certainly passed.
func (l *Listener) passed(t time.Time) bool {
	return !t.After(*l.now.Load())
}
