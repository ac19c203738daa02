package loadavg

import (
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{name: "kernel line", in: "0.50 0.40 0.30 2/345 6789\n", want: "0.50 0.40 0.30"},
		{name: "just the averages", in: "1.90 0.80 0.50", want: "1.90 0.80 0.50"},
		{name: "extra spaces", in: "  3.00   2.00  1.00  1/2 3", want: "3.00 2.00 1.00"},
		{name: "too short", in: "0.50 0.40", want: "unknown"},
		{name: "empty", in: "", want: "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parse(tc.in); got != tc.want {
				t.Errorf("parse(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRead(t *testing.T) {
	got := Read()
	if _, err := os.Stat(file); err != nil {
		if got != "unknown" {
			t.Errorf("Read() = %q without %s, want unknown", got, file)
		}
		return
	}
	if f := strings.Fields(got); len(f) != 3 {
		t.Errorf("Read() = %q, want three averages", got)
	}
}
