// Package load is the load generator of the benchmarks and of the
// end-to-end tests: a fixed number of workers, each sending one request at
// a time, that count what was answered, what failed and how long it took.
//
// The benchmarks compare servers on one machine with it, and the
// end-to-end tests keep a steady load on a Service while it rolls out or
// faults are injected, counting every failed request and which message
// each answer carried (Config.Get, Config.Pause, Start).
//
// By default, Run opens a fixed number of keep-alive connections and, on each, sends a
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
