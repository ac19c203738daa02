// Command bench measures the microstack service against the targets it
// promises: throughput and tail latency next to a bare net/http server
// answering the same bytes (bench/ceiling), memory at rest and under load,
// time from exec to ready, image size, and where the CPU goes.
//
// It builds the service the way the Dockerfile does and runs it as its own
// process with its defaults (JSON request logs at info level, written to
// /dev/null, and metrics), and the ceiling as another, so both are measured
// under the same conditions by the closed-loop generator of internal/load.
// Everything listens on, or is reached through, 127.0.0.1; the service
// itself binds every interface, as it does in its container, because it
// takes only a port.
//
// Usage, from anywhere in the module:
//
//	go run ./bench [flags]
//
// The flags:
//
//	-conns 1,16,64    connection counts to measure
//	-duration 20s     measured time per point, after -warmup 1s
//	-rounds 5         slices each point's time is cut into; the servers take
//	                  turns slice by slice, so that a disturbance from outside
//	                  falls on all of them; the report gives the spread of
//	                  the rounds' ratios beside each combined ratio
//	-starts 10        process starts timed for the ready figure
//	-profile=true     take a CPU profile of the service under 16 connections
//	-wrk=true         repeat the largest point with wrk, when it is installed,
//	                  in the same turns; wrk takes less of the CPU the servers
//	                  share, so its ratios carry the stricter targets
//	-nolog=true       also load the service with APP_LOG_LEVEL=warn, which
//	                  turns its request logs off, to show what they cost
//	-image REF        also report the size of image REF (needs DOCKER_HOST);
//	                  hack/bench.sh builds the image and passes it when the
//	                  local Docker engine answers
//	-out DIR          keep the binaries and the profile in DIR
//	-strict           exit with status 1 if a target is missed
//
// Figures depend on the machine and on what else it runs: bench prints
// the load average before and after, and the figures are only worth
// comparing when it is well below the number of CPUs.
package main
