// Package requestlog writes the service's request log: one JSON line per
// served request, in the encoding of log/slog's JSONHandler, byte for byte.
//
// The request line is the one record the service writes on every request,
// and slog's JSON handler, being general, spends most of its time walking
// and escaping attributes: about 1 µs per record here, more than the rest
// of the service's own work per request. A record whose fields are fixed
// can be appended directly, at about a quarter of that. Every other record,
// and the request record under any other handler, still goes through slog:
// Entry.Record gives the same fields as a slog.Record, and the package's
// tests hold AppendJSON to JSONHandler's output for the same record.
package requestlog
