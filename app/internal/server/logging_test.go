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

// requestLogEncoders are the two ways a request record reaches the log:
// through the logger's slog.JSONHandler, and encoded by WithRequestLog on
// the same writer. Every request-log test runs under both.
var requestLogEncoders = []struct {
	name    string
	options func(logger *slog.Logger, w io.Writer) []Option
}{
	{"slog", func(l *slog.Logger, _ io.Writer) []Option { return []Option{WithLogger(l)} }},
	{"requestlog", func(l *slog.Logger, w io.Writer) []Option { return []Option{WithLogger(l), WithRequestLog(w)} }},
}

// requestLogs serves each target with the options of the encoder named
// encoder and returns the "request" log records.
func requestLogs(t *testing.T, encoder string, level slog.Level, targets ...string) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
	var opts []Option
	for _, enc := range requestLogEncoders {
		if enc.name == encoder {
			opts = enc.options(logger, &buf)
		}
	}
	if opts == nil {
		t.Fatalf("no request log encoder %q", encoder)
	}
	s := newTestServer(t, testConfig(), opts...)
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
	for _, enc := range requestLogEncoders {
		t.Run(enc.name, func(t *testing.T) { testRequestLog(t, enc.name) })
	}
}

func testRequestLog(t *testing.T, encoder string) {
	logs := requestLogs(t, encoder, slog.LevelInfo, "/")
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
	var got [][]map[string]any
	for _, enc := range requestLogEncoders {
		logs := requestLogs(t, enc.name, slog.LevelDebug, targets...)
		for _, rec := range logs {
			delete(rec, "time")
			delete(rec, "duration_us")
		}
		got = append(got, logs)
	}
	if len(got[0]) != len(targets) || !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("request records differ:\n%s: %v\n%s: %v",
			requestLogEncoders[0].name, got[0], requestLogEncoders[1].name, got[1])
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
		for _, enc := range requestLogEncoders {
			t.Run(enc.name+"/"+tt.level.String(), func(t *testing.T) {
				logs := requestLogs(t, enc.name, tt.level, "/healthz", "/readyz", "/version")
				if len(logs) != tt.want {
					t.Errorf("got %d request logs at %v, want %d: %v", len(logs), tt.level, tt.want, logs)
				}
			})
		}
	}
}
