package deadline

import (
	"net"
	"testing"
	"time"
)

// BenchmarkRequestDeadlines makes the deadline calls an http.Server with
// every timeout set makes on one keep-alive request, on a plain
// *net.TCPConn and on a connection of a Listener.
func BenchmarkRequestDeadlines(b *testing.B) {
	const (
		idle   = 60 * time.Second
		header = 5 * time.Second
		whole  = 10 * time.Second
		write  = 10 * time.Second
	)
	aLongTimeAgo := time.Unix(1, 0)
	tests := []struct {
		name string
		conn func(b *testing.B) net.Conn
	}{
		{"conn=tcp", func(b *testing.B) net.Conn {
			_, _, peer := pair(b, time.Hour)
			return peer
		}},
		{"conn=swept", func(b *testing.B) net.Conn {
			_, c, _ := pair(b, 250*time.Millisecond)
			return c
		}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			c := tt.conn(b)
			for b.Loop() {
				c.SetReadDeadline(time.Now().Add(idle))   // waiting for the next request
				c.SetReadDeadline(time.Now().Add(header)) // its first bytes arrived
				c.SetReadDeadline(time.Now().Add(whole))  // its headers are read
				c.SetReadDeadline(time.Time{})            // the background read
				c.SetReadDeadline(aLongTimeAgo)           // its abort
				c.SetReadDeadline(time.Time{})
				c.SetWriteDeadline(time.Now().Add(write)) // the response
				c.SetWriteDeadline(time.Time{})
			}
		})
	}
}
