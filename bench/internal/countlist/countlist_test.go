package countlist

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []int
		wantErr string
	}{
		{in: "1,16,64", want: []int{1, 16, 64}},
		{in: " 2 , 5 ", want: []int{2, 5}},
		{in: "7", want: []int{7}},
		{in: "64,1,1", want: []int{64, 1, 1}}, // order and repeats are the caller's to judge
		{in: "", wantErr: `"" is not a positive widget count`},
		{in: "0", wantErr: `"0" is not a positive widget count`},
		{in: "-3", wantErr: `"-3" is not a positive widget count`},
		{in: "ten", wantErr: `"ten" is not a positive widget count`},
		{in: "1,,10", wantErr: `"" is not a positive widget count`},
		{in: "1, x", wantErr: `" x" is not a positive widget count`},
	} {
		got, err := Parse(tc.in, "widget count")
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Parse(%q) = %v, %v; want error %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{in: nil, want: ""},
		{in: []int{5}, want: "5"},
		{in: []int{1, 10, 50}, want: "1,10,50"},
	} {
		if got := Format(tc.in); got != tc.want {
			t.Errorf("Format(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if len(tc.in) == 0 {
			continue
		}
		if back, err := Parse(Format(tc.in), "count"); err != nil || !slices.Equal(back, tc.in) {
			t.Errorf("Parse(Format(%v)) = %v, %v", tc.in, back, err)
		}
	}
}
