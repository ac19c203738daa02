package buildinfo

import (
	"runtime"
	"testing"
)

func TestGet(t *testing.T) {
	got := Get()
	want := Info{Version: "dev", Commit: "unknown", GoVersion: runtime.Version()}
	if got != want {
		t.Errorf("Get() = %+v, want %+v (built with -X flags?)", got, want)
	}
}
