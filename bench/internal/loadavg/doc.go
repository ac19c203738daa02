// Package loadavg reads the machine's load average, which the bench
// commands print before and after a run: their figures are only worth
// comparing when nothing else kept the CPUs busy meanwhile.
//
// It reads /proc/loadavg, so it knows the load on Linux only; elsewhere,
// and whenever the file cannot be read, it says "unknown" instead of
// failing the run over a line of context.
package loadavg
