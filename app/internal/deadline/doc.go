// Package deadline enforces the read and write deadlines of a listener's
// connections with one periodic sweep, rather than a runtime timer armed
// on every call.
//
// An http.Server with read, write and idle timeouts sets a connection's
// deadlines several times per request: before the headers, after them,
// for the response, and again while the connection idles. Each call on a
// *net.TCPConn reads the clock twice more and re-arms a runtime timer,
// which together cost more than the rest of serving a small request that
// net/http does not already do. The connections of a Listener instead
// record each deadline as a value, and a sweep every resolution interrupts
// the reads and writes whose deadline has passed, by setting a deadline in
// the past on the connection underneath.
//
// A deadline therefore expires at most one resolution late, never early.
// A deadline that is already in the past when it is set takes effect at
// once, as net/http relies on to interrupt its background reads. The
// sweep runs only while the listener has open connections.
package deadline
