package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

// requestLogEncoder is one way a request record reaches the log: the
// server options for a logger and the writer its handler writes to.
type requestLogEncoder struct {
	name    string
	options func(logger *slog.Logger, w io.Writer) []Option
}

// requestLogEncoders are the logger's slog.JSONHandler, and WithRequestLog
// on the same writer. Every request-log test runs under both.
func requestLogEncoders() []requestLogEncoder {
	return []requestLogEncoder{
		{"slog", func(l *slog.Logger, _ io.Writer) []Option { return []Option{WithLogger(l)} }},
		{"requestlog", func(l *slog.Logger, w io.Writer) []Option { return []Option{WithLogger(l), WithRequestLog(w)} }},
	}
}

// requestLogs serves each target under enc and returns the "request" log
// records.
func requestLogs(t *testing.T, enc requestLogEncoder, level slog.Level, targets ...string) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
	s := newTestServer(t, testConfig(), enc.options(logger, &buf)...)
	for _, target := range targets {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	var records []map[string]any
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		if rec["msg"] == "request" {
			records = append(records, rec)
		}
	}
	return records
}

func TestRequestLog(t *testing.T) {
	for _, enc := range requestLogEncoders() {
		t.Run(enc.name, func(t *testing.T) { testRequestLog(t, enc) })
	}
}

func testRequestLog(t *testing.T, enc requestLogEncoder) {
	logs := requestLogs(t, enc, slog.LevelInfo, "/")
	if len(logs) != 1 {
		t.Fatalf("got %d request logs, want 1", len(logs))
	}
	rec := logs[0]
	want := map[string]any{
		"level":       "INFO",
		"method":      "GET",
		"path":        "/",
		"route":       patternHello,
		"status":      float64(200),
		"bytes":       float64(35),
		"remote_addr": "192.0.2.1:1234", // httptest.NewRequest's default
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("log field %s = %#v, want %#v", k, rec[k], v)
		}
	}
	if d, ok := rec["duration_us"].(float64); !ok || d < 0 || d != float64(int64(d)) {
		t.Errorf("duration_us = %#v, want a whole non-negative number", rec["duration_us"])
	}
	if n := len(rec); n != len(want)+3 {
		t.Errorf("record has %d fields, want %d (time, msg, duration_us and %v): %v", n, len(want)+3, want, rec)
	}
}

// TestRequestLogEncodersAgree serves the same requests under both
// encoders and compares the records whole, but for the time and the
// duration, which no two requests share.
func TestRequestLogEncodersAgree(t *testing.T) {
	targets := []string{"/", "/missing", "/healthz", "/%e2%80%a8%22%5c%ff"}
	encoders := requestLogEncoders()
	var got [][]map[string]any
	for _, enc := range encoders {
		logs := requestLogs(t, enc, slog.LevelDebug, targets...)
		for _, rec := range logs {
			delete(rec, "time")
			delete(rec, "duration_us")
		}
		got = append(got, logs)
	}
	if len(got[0]) != len(targets) || !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("request records differ:\n%s: %v\n%s: %v",
			encoders[0].name, got[0], encoders[1].name, got[1])
	}
}

func TestProbesLogAtDebug(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  int
	}{
		{slog.LevelInfo, 1},
		{slog.LevelDebug, 3},
	}
	for _, tt := range tests {
		for _, enc := range requestLogEncoders() {
			t.Run(enc.name+"/"+tt.level.String(), func(t *testing.T) {
				logs := requestLogs(t, enc, tt.level, "/healthz", "/readyz", "/version")
				if len(logs) != tt.want {
					t.Errorf("got %d request logs at %v, want %d: %v", len(logs), tt.level, tt.want, logs)
				}
			})
		}
	}
}
