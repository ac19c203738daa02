// Package load is a closed-loop HTTP/1.1 load generator for comparing
// servers on one machine.
//
// Run opens a fixed number of keep-alive connections and, on each, sends a
// request as soon as the previous response has been read, for a fixed
// time after a warm-up. A closed loop measures how fast a server answers
// a given concurrency, not how it copes with an arrival rate it cannot
// meet; that is what comparing two servers side by side needs.
//
// The client speaks just enough HTTP/1.1 to stay cheap: it writes one
// pre-encoded GET and reads responses framed by Content-Length, so on a
// machine shared with the server it costs little of the CPU being
// measured. A response the server marks "Connection: close" ends the
// connection and the next request dials a new one.
//
// Latencies are kept as samples, at most Config.MaxSamples of them, by
// reservoir sampling per connection; percentiles are read from the sorted,
// weighted samples. Memory therefore stays bounded whatever the request
// rate, and so does time, by Config.Duration.
package load
