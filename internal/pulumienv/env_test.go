package pulumienv

import (
	"maps"
	"testing"
)

func TestParse(t *testing.T) {
	got := parse("PULUMI_HOME=/s/pulumi-home\x00MULTI=a\nb=c\x00EMPTY=\x00\x00=skipped\x00noequals\x00")
	want := map[string]string{"PULUMI_HOME": "/s/pulumi-home", "MULTI": "a\nb=c", "EMPTY": ""}
	if !maps.Equal(got, want) {
		t.Errorf("parse() = %q, want %q", got, want)
	}
}
