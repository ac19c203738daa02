package load

import (
	"testing"
	"time"
)

func TestReservoirIsBounded(t *testing.T) {
	r := newReservoir(10, 1)
	for i := range 1000 {
		r.add(time.Duration(i))
	}
	if len(r.samples) != 10 || r.seen != 1000 {
		t.Fatalf("kept %d of %d, want 10 of 1000", len(r.samples), r.seen)
	}
	// A uniform sample of 0..999 lies mostly above the first 10 values.
	late := 0
	for _, d := range r.samples {
		if d >= 10 {
			late++
		}
	}
	if late == 0 {
		t.Errorf("samples %v: only the first values were kept", r.samples)
	}
}

func TestQuantile(t *testing.T) {
	ms := time.Millisecond
	// A slow connection answered 3 requests, all kept; a fast one answered
	// 97 of which one sample is kept, standing for all of them.
	slow := &reservoir{seen: 3, samples: []time.Duration{30 * ms, 10 * ms, 20 * ms}}
	fast := &reservoir{seen: 97, samples: []time.Duration{1 * ms}}
	l := merge([]*reservoir{slow, fast, {}})
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0, 1 * ms},
		{0.5, 1 * ms},
		{0.97, 1 * ms},
		{0.98, 10 * ms},
		{0.99, 20 * ms},
		{1, 30 * ms},
	}
	for _, tt := range tests {
		if got := l.Quantile(tt.q); got != tt.want {
			t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if l.Max() != 30*ms || l.Len() != 4 {
		t.Errorf("Max() = %v, Len() = %d; want 30ms, 4", l.Max(), l.Len())
	}
	var empty Latencies
	if empty.Quantile(0.5) != 0 || empty.Max() != 0 {
		t.Error("empty Latencies report a latency")
	}
}

func TestCombine(t *testing.T) {
	ms := time.Millisecond
	a := Result{Requests: 3, Elapsed: time.Second, Latency: merge([]*reservoir{
		{seen: 3, samples: []time.Duration{1 * ms, 2 * ms, 3 * ms}},
	})}
	b := Result{Requests: 1, Errors: 2, Elapsed: time.Second, Latency: merge([]*reservoir{
		{seen: 1, samples: []time.Duration{10 * ms}},
	})}
	c := Combine(a, b)
	if c.Requests != 4 || c.Errors != 2 || c.Elapsed != 2*time.Second || c.Throughput() != 2 {
		t.Errorf("Combine() = %d requests, %d errors in %v (%v/s); want 4, 2, 2s, 2/s",
			c.Requests, c.Errors, c.Elapsed, c.Throughput())
	}
	if got := c.Latency.Quantile(0.5); got != 2*ms {
		t.Errorf("combined p50 = %v, want 2ms", got)
	}
	if got := c.Latency.Quantile(1); got != 10*ms {
		t.Errorf("combined max = %v, want 10ms", got)
	}
	if c := Combine(); c.Requests != 0 || c.Latency.Len() != 0 {
		t.Errorf("Combine() of nothing = %+v", c)
	}
}
