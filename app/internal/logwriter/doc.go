// Package logwriter batches log lines on their way to standard output.
//
// The service writes a JSON line per request. Written straight to stdout,
// each line costs a write system call, made under the log handler's lock:
// under load that is a few per cent of the CPU and a lock every request
// queues for. A Writer instead copies each line into a buffer and writes
// the buffer out when it fills, at a fixed interval and when it is closed,
// so lines reach the container runtime in batches, at most one interval
// late, and in order.
//
// The price is what a process killed outright (SIGKILL, out of memory)
// had not yet written: at most one interval of lines. A clean exit closes
// the Writer, which writes everything.
package logwriter
