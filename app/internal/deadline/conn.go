package deadline

import (
	"errors"
	"net"
	"sync"
	"time"
)

// past is the deadline set on the connection underneath to interrupt its
// reads or writes.
var past = time.Unix(1, 0)

// direction says which of a connection's deadlines an operation concerns.
type direction int

const (
	read direction = iota
	write
)

// conn is a connection of a Listener.
type conn struct {
	net.Conn
	l *Listener

	mu sync.Mutex
	// deadlines holds the read and the write deadline, by direction.
	deadlines [2]deadline
}

// deadline is one of a connection's deadlines.
type deadline struct {
	at time.Time // zero: none
	// expired means the connection underneath has a deadline in the
	// past in this direction, which the next deadline set must clear.
	expired bool
}

// SetDeadline sets the read and write deadlines.
func (c *conn) SetDeadline(t time.Time) error {
	return errors.Join(c.set(read, t), c.set(write, t))
}

// SetReadDeadline sets the deadline of future and pending reads.
func (c *conn) SetReadDeadline(t time.Time) error {
	return c.set(read, t)
}

// SetWriteDeadline sets the deadline of future and pending writes.
func (c *conn) SetWriteDeadline(t time.Time) error {
	return c.set(write, t)
}

// set records t as the deadline of dir, applying it at once if it has
// passed already.
func (c *conn) set(dir direction, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := &c.deadlines[dir]
	if !t.IsZero() && c.l.passed(t) {
		d.at, d.expired = time.Time{}, true
		return c.apply(dir, t)
	}
	d.at = t
	if d.expired {
		d.expired = false
		return c.apply(dir, time.Time{})
	}
	return nil
}

// expire interrupts the reads and writes whose deadline is not after now.
func (c *conn) expire(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for dir := range c.deadlines {
		d := &c.deadlines[dir]
		if d.at.IsZero() || d.at.After(now) {
			continue
		}
		d.at, d.expired = time.Time{}, true
		// An error means the connection is closed: nothing is left to
		// interrupt.
		_ = c.apply(direction(dir), past)
	}
}

// apply sets the deadline of dir on the connection underneath.
func (c *conn) apply(dir direction, t time.Time) error {
	if dir == read {
		return c.Conn.SetReadDeadline(t)
	}
	return c.Conn.SetWriteDeadline(t)
}

// Close closes the connection and stops sweeping it.
func (c *conn) Close() error {
	c.l.untrack(c)
	return c.Conn.Close()
}

// CloseWrite shuts down the writing side of a TCP connection, which
// net/http does to let a client read an error before the connection
// closes.
func (c *conn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.ErrUnsupported
	}
	return cw.CloseWrite()
}
