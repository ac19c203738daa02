package logwriter

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

// BenchmarkRequestLog logs a request line like the service's from every P
// at once, to /dev/null: straight, as a write per line, and batched.
func BenchmarkRequestLog(b *testing.B) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()
	tests := []struct {
		name string
		dst  func() io.WriteCloser
	}{
		{"direct", func() io.WriteCloser { return nopCloser{devNull} }},
		{"batched", func() io.WriteCloser { return New(devNull, 64<<10, 100*time.Millisecond) }},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			dst := tt.dst()
			defer dst.Close()
			log := slog.New(slog.NewJSONHandler(dst, nil))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					log.LogAttrs(b.Context(), slog.LevelInfo, "request",
						slog.String("method", "GET"), slog.String("path", "/"), slog.String("route", "GET /{$}"),
						slog.Int("status", 200), slog.Int64("duration_us", 42), slog.Int64("bytes", 28),
						slog.String("remote_addr", "127.0.0.1:54321"))
				}
			})
		})
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
