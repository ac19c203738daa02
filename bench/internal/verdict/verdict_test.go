package verdict

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	if got := Check(true); got != Met {
		t.Errorf("Check(true) = %q, want %q", got, Met)
	}
	if got := Check(false); got != Missed {
		t.Errorf("Check(false) = %q, want %q", got, Missed)
	}
}

func TestAnyMissed(t *testing.T) {
	for _, tc := range []struct {
		name string
		vs   []Verdict
		want bool
	}{
		{name: "none", vs: nil, want: false},
		{name: "all met", vs: []Verdict{{Status: Met}, {Status: Met}}, want: false},
		{name: "skipped is not missed", vs: []Verdict{{Status: Met}, {Status: Skipped}}, want: false},
		{name: "one missed", vs: []Verdict{{Status: Met}, {Status: Missed}, {Status: Skipped}}, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AnyMissed(tc.vs); got != tc.want {
				t.Errorf("AnyMissed(%+v) = %v, want %v", tc.vs, got, tc.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	var b strings.Builder
	Write(&b, []Verdict{
		{Target: "idle RSS ≤ 12.0 MB", Figure: "9.5 MB", Status: Met},
		{Target: "image ≤ 10.0 MB", Figure: "12.5 MB", Status: Missed},
		{Target: "no failed request during a rollout", Figure: "not asked for", Status: Skipped},
	})
	want := "\ntargets\n" +
		"  met      idle RSS ≤ 12.0 MB                  9.5 MB\n" +
		"  MISSED   image ≤ 10.0 MB                     12.5 MB\n" +
		"  skipped  no failed request during a rollout  not asked for\n"
	if got := b.String(); got != want {
		t.Errorf("Write printed\n%s\nwant\n%s", got, want)
	}
}

func TestWriteNone(t *testing.T) {
	var b strings.Builder
	Write(&b, nil)
	if got, want := b.String(), "\ntargets\n"; got != want {
		t.Errorf("Write(nil) printed %q, want %q", got, want)
	}
}
