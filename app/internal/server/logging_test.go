package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// requestLogs serves each target and returns the "request" log records.
func requestLogs(t *testing.T, level slog.Level, targets ...string) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
	s := newTestServer(t, testConfig(), WithLogger(logger))
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
	logs := requestLogs(t, slog.LevelInfo, "/")
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
		t.Run(tt.level.String(), func(t *testing.T) {
			logs := requestLogs(t, tt.level, "/healthz", "/readyz", "/version")
			if len(logs) != tt.want {
				t.Errorf("got %d request logs at %v, want %d: %v", len(logs), tt.level, tt.want, logs)
			}
		})
	}
}
