package requestlog

import (
	"log/slog"
	"time"
)

// Message is the msg of every request record.
const Message = "request"

// Keys of a request record's fields, in the order they are written.
const (
	KeyMethod     = "method"
	KeyPath       = "path"
	KeyRoute      = "route"
	KeyStatus     = "status"
	KeyDurationUS = "duration_us"
	KeyBytes      = "bytes"
	KeyRemoteAddr = "remote_addr"
)

// Entry is one served request.
type Entry struct {
	// Time is when the response was complete.
	Time  time.Time
	Level slog.Level

	Method string
	Path   string
	// Route is the pattern that served the request.
	Route  string
	Status int
	// Duration is written in whole microseconds, an integer, which
	// log processors sum and compare without parsing a float.
	Duration   time.Duration
	Bytes      int64
	RemoteAddr string
}

// Record returns e as a slog.Record, for a handler other than the JSON
// one that AppendJSON stands in for. Its program counter is zero: the
// source location would always be the server's middleware.
func (e Entry) Record() slog.Record {
	r := slog.NewRecord(e.Time, e.Level, Message, 0)
	r.AddAttrs(
		slog.String(KeyMethod, e.Method),
		slog.String(KeyPath, e.Path),
		slog.String(KeyRoute, e.Route),
		slog.Int(KeyStatus, e.Status),
		slog.Int64(KeyDurationUS, e.Duration.Microseconds()),
		slog.Int64(KeyBytes, e.Bytes),
		slog.String(KeyRemoteAddr, e.RemoteAddr),
	)
	return r
}
