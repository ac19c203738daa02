package main

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSizeListSet(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    sizeList
		str     string // String() of the result
		wantErr string
	}{
		{in: "1,10,50", want: sizeList{1, 10, 50}, str: "1,10,50"},
		{in: " 2 , 5 ", want: sizeList{2, 5}, str: "2,5"},
		{in: "100", want: sizeList{100}, str: "100"},
		{in: "", want: nil, str: ""},
		{in: "0", wantErr: "not a positive service count"},
		{in: "-3", wantErr: "not a positive service count"},
		{in: "ten", wantErr: "not a positive service count"},
		{in: "1,,10", wantErr: "not a positive service count"},
		{in: "101", wantErr: "at most 100"},
		{in: "10,1", wantErr: "increasing order"},
		{in: "5,5", wantErr: "increasing order"},
	} {
		var got sizeList
		err := got.Set(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Set(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%q) = %v", tc.in, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Set(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if s := got.String(); s != tc.str {
			t.Errorf("String() after Set(%q) = %q, want %q", tc.in, s, tc.str)
		}
	}
}

func TestParseFlags(t *testing.T) {
	defaults := options{services: sizeList{1, 10, 50}, timeout: 15 * time.Minute}
	for _, tc := range []struct {
		name    string
		args    []string
		want    func(o *options)
		wantErr string
	}{
		{name: "defaults", args: nil, want: func(*options) {}},
		{name: "sizes and image", args: []string{"-services", "1,5", "-image", "r@sha256:ab"},
			want: func(o *options) { o.services, o.image = sizeList{1, 5}, "r@sha256:ab" }},
		{name: "parallel and verbose", args: []string{"-parallel", "8", "-v"},
			want: func(o *options) { o.parallel, o.verbose = 8, true }},
		{name: "timeout", args: []string{"-timeout", "20m"}, want: func(o *options) { o.timeout = 20 * time.Minute }},
		{name: "nothing to do", args: []string{"-services="}, wantErr: "nothing to measure"},
		{name: "negative parallel", args: []string{"-parallel", "-1"}, wantErr: "-parallel -1"},
		{name: "zero timeout", args: []string{"-timeout", "0s"}, wantErr: "-timeout 0s"},
		{name: "bad size", args: []string{"-services", "50,10"}, wantErr: "increasing order"},
		{name: "unknown flag", args: []string{"-rollout=false"}, wantErr: "not defined"},
		{name: "stray argument", args: []string{"50"}, wantErr: "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			want.services = slices.Clone(defaults.services)
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("options = %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var usage strings.Builder
	_, err := parseFlags([]string{"-h"}, &usage)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error = %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"-services", "-image", "-parallel", "-timeout", "-v"} {
		if !strings.Contains(usage.String(), name) {
			t.Errorf("usage does not mention %s:\n%s", name, usage.String())
		}
	}
}

// TestSDKVersionIsTheBuiltOne: the plugin version the report names is the
// SDK's this binary is built with, as go.mod pins it.
func TestSDKVersionIsTheBuiltOne(t *testing.T) {
	if v := sdkVersion(kubernetesSDK); !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(v) {
		t.Errorf("sdkVersion(%s) = %q, want the version go.mod pins", kubernetesSDK, v)
	}
	if v := sdkVersion("example.com/not/a/dependency"); v != "unknown" {
		t.Errorf("sdkVersion of a module not built in = %q, want unknown", v)
	}
}
