package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{"status file", "Name:\tmicrostack\nVmPeak:\t  1 kB\nVmRSS:\t    9876 kB\nThreads:\t5\n", 9876 << 10, false},
		{"no VmRSS", "Name:\tkthreadd\nThreads:\t1\n", 0, true},
		{"other unit", "VmRSS:\t 12 MB\n", 0, true},
		{"not a number", "VmRSS:\t lots kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(strings.NewReader(tt.status))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseVmRSS() = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestLargestLayer(t *testing.T) {
	tests := []struct {
		name     string
		history  string
		wantSize int64
		wantBy   string
		wantErr  bool
	}{
		{
			name:     "layers",
			history:  "0\tUSER 65532:65532\n7340032\tCOPY /out/microstack /microstack # buildkit\n2097152\tbazel build ...\n",
			wantSize: 7340032, wantBy: "COPY /out/microstack /microstack # buildkit",
		},
		{name: "only metadata", history: "0\tENTRYPOINT [\"/microstack\"]\n", wantSize: 0, wantBy: "ENTRYPOINT [\"/microstack\"]"},
		{name: "empty", history: "\n", wantErr: true},
		{name: "human sizes", history: "7.3MB\tCOPY x\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size, by, err := largestLayer(tt.history)
			if (err != nil) != tt.wantErr || size != tt.wantSize || by != tt.wantBy {
				t.Errorf("largestLayer() = %d, %q, %v; want %d, %q, error %v", size, by, err, tt.wantSize, tt.wantBy, tt.wantErr)
			}
		})
	}
}

func TestMeasureImageSkips(t *testing.T) {
	t.Setenv("DOCKER_HOST", "")
	tests := map[string]string{
		"":                 "no image given",
		"microstack:bench": "DOCKER_HOST is not set",
	}
	for ref, want := range tests {
		fig := measureImage(t.Context(), ref)
		if !strings.Contains(fig.skipped, want) {
			t.Errorf("measureImage(%q).skipped = %q, want it to say %q", ref, fig.skipped, want)
		}
	}
}

const wrkOutput = `Running 5s test @ http://127.0.0.1:40000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.90ms    1.20ms  30.00ms   90.00%
    Req/Sec    17.00k     1.00k   19.00k    70.00%
  Latency Distribution
     50%    1.70ms
     75%    2.10ms
     90%    2.90ms
     99%  812.00us
  169000 requests in 5.00s, 30.00MB read
Requests/sec:  33800.12
Transfer/sec:      6.00MB
`

func TestParseWrk(t *testing.T) {
	got, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	if want := (figures{throughput: 33800.12, p99: 812 * time.Microsecond}); got != want {
		t.Errorf("parseWrk() = %+v, want %+v", got, want)
	}
	for name, out := range map[string]string{
		"errors":     wrkOutput + "  Socket errors: connect 0, read 3, write 0, timeout 0\n",
		"non-2xx":    wrkOutput + "  Non-2xx or 3xx responses: 12\n",
		"no summary": "unable to connect to 127.0.0.1:1 Connection refused\n",
	} {
		if _, err := parseWrk(out); err == nil {
			t.Errorf("%s: parseWrk() = nil error", name)
		}
	}
}

func TestConnList(t *testing.T) {
	var c connList
	if err := c.Set("1, 16,64"); err != nil || c.String() != "1,16,64" {
		t.Errorf("Set(\"1, 16,64\") = %v, %q", err, c.String())
	}
	for _, bad := range []string{"", "0", "a", "4,-1"} {
		if err := c.Set(bad); err == nil {
			t.Errorf("Set(%q) = nil error", bad)
		}
	}
}
