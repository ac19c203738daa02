package requestlog

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
	"unicode/utf8"
)

// slogJSON returns what slog.JSONHandler, with no options other than a
// level low enough for every entry, writes for e.Record(): the encoding
// AppendJSON must reproduce.
func slogJSON(t testing.TB, e Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 8})
	if err := h.Handle(context.Background(), e.Record()); err != nil {
		t.Fatalf("slog Handle: %v", err)
	}
	return buf.Bytes()
}

func testEntry() Entry {
	return Entry{
		Time:       time.Date(2026, 12, 4, 12, 30, 5, 123456789, time.UTC),
		Level:      slog.LevelInfo,
		Method:     "GET",
		Path:       "/",
		Route:      "GET /{$}",
		Status:     200,
		Duration:   1534 * time.Microsecond,
		Bytes:      27,
		RemoteAddr: "10.0.0.7:51234",
	}
}

func TestAppendJSONMatchesSlog(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Entry)
	}{
		{"typical", func(*Entry) {}},
		{"debug probe", func(e *Entry) { e.Level = slog.LevelDebug; e.Path = "/healthz"; e.Route = "GET /healthz" }},
		{"warn level", func(e *Entry) { e.Level = slog.LevelWarn }},
		{"level offset", func(e *Entry) { e.Level = slog.LevelInfo + 2 }},
		{"zone offset", func(e *Entry) { e.Time = e.Time.In(time.FixedZone("", -(3*3600 + 30*60))) }},
		{"whole second", func(e *Entry) { e.Time = e.Time.Truncate(time.Second) }},
		{"monotonic reading", func(e *Entry) { e.Time = time.Now() }},
		{"quotes and backslashes", func(e *Entry) { e.Path = `/a"b\c` }},
		{"control characters", func(e *Entry) { e.Path = "/\n\r\t\x00\x1f\x7f" }},
		{"html characters", func(e *Entry) { e.Path = "/<script>&amp;" }},
		{"invalid utf-8", func(e *Entry) { e.Path = "/\xff\xfe\xc3" }},
		{"line separators", func(e *Entry) { e.Path = "/\u2028\u2029\u00e9\U0001F600" }},
		{"empty fields", func(e *Entry) { e.Method, e.Path, e.Route, e.RemoteAddr = "", "", "", "" }},
		{"negative and zero", func(e *Entry) { e.Status, e.Duration, e.Bytes = 0, -time.Microsecond, -1 }},
		{"sub-microsecond", func(e *Entry) { e.Duration = 999 * time.Nanosecond }},
		{"large numbers", func(e *Entry) { e.Bytes = 1<<63 - 1; e.Duration = time.Duration(1<<63 - 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := testEntry()
			tt.change(&e)
			got, want := AppendJSON(nil, e), slogJSON(t, e)
			if !bytes.Equal(got, want) {
				t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	prefix := []byte("kept\n")
	got := AppendJSON(append([]byte(nil), prefix...), testEntry())
	if !bytes.HasPrefix(got, prefix) {
		t.Fatalf("AppendJSON lost the buffer's content: %q", got)
	}
	if want := slogJSON(t, testEntry()); !bytes.Equal(got[len(prefix):], want) {
		t.Errorf("AppendJSON after a prefix:\n got %s\nwant %s", got[len(prefix):], want)
	}
}

// FuzzAppendJSON holds AppendJSON to slog's encoding for any strings,
// numbers and times. Years stay within 0-9999, where slog writes
// RFC 3339; outside them it writes an error marker instead.
func FuzzAppendJSON(f *testing.F) {
	f.Add("GET", "/", "GET /{$}", "10.0.0.7:1", 200, int64(1534000), int64(27), int64(1796387405123456789), 0, 0)
	f.Add("PO\"ST", "/\xff\u2028\n<>", "", "", 0, int64(-1), int64(-1), int64(0), -4, -3600)
	f.Fuzz(func(t *testing.T, method, path, route, addr string, status int, durNS, bytesN, unixNS int64, level, zoneSec int) {
		tm := time.Unix(0, unixNS).In(time.FixedZone("", zoneSec%(18*3600)))
		if y := tm.Year(); y < 0 || y > 9999 {
			t.Skip("slog writes no RFC 3339 time outside years 0-9999")
		}
		e := Entry{
			Time: tm, Level: slog.Level(level % 64),
			Method: method, Path: path, Route: route, RemoteAddr: addr,
			Status: status, Duration: time.Duration(durNS), Bytes: bytesN,
		}
		got, want := AppendJSON(nil, e), slogJSON(t, e)
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON:\n got %q\nwant %q", got, want)
		}
		if !utf8.Valid(got) {
			t.Fatalf("AppendJSON wrote invalid UTF-8: %q", got)
		}
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	e := testEntry()
	buf := make([]byte, 0, lineSize)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], e)
	}
}

func BenchmarkSlogJSONHandler(b *testing.B) {
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, nil)
	e := testEntry()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		_ = h.Handle(ctx, e.Record())
	}
}
