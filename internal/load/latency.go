package load

import (
	"math/rand/v2"
	"slices"
	"time"
)

// reservoir keeps a uniform random sample of at most max latencies out of
// all it is offered (Vitter's algorithm R).
type reservoir struct {
	max     int
	seen    int64
	samples []time.Duration
	rng     *rand.Rand
}

func newReservoir(maxSamples int, seed uint64) reservoir {
	return reservoir{max: maxSamples, rng: rand.New(rand.NewPCG(seed, 0x6d6963726f737461))}
}

func (r *reservoir) add(d time.Duration) {
	r.seen++
	if len(r.samples) < r.max {
		r.samples = append(r.samples, d)
		return
	}
	if j := r.rng.Int64N(r.seen); j < int64(r.max) {
		r.samples[j] = d
	}
}

// sample is one kept latency and how many requests it stands for.
type sample struct {
	d      time.Duration
	weight float64
}

// Latencies is a sorted, weighted sample of request latencies.
type Latencies struct {
	samples []sample
	total   float64
}

// merge combines reservoirs; each sample stands for seen/kept requests of
// its own reservoir, so connections that served more weigh more.
func merge(rs []*reservoir) Latencies {
	var l Latencies
	for _, r := range rs {
		if len(r.samples) == 0 {
			continue
		}
		w := float64(r.seen) / float64(len(r.samples))
		for _, d := range r.samples {
			l.samples = append(l.samples, sample{d: d, weight: w})
		}
		l.total += float64(r.seen)
	}
	l.sort()
	return l
}

// combine merges sorted, weighted samples into one.
func combine(ls ...Latencies) Latencies {
	var out Latencies
	for _, l := range ls {
		out.samples = append(out.samples, l.samples...)
		out.total += l.total
	}
	out.sort()
	return out
}

func (l *Latencies) sort() {
	slices.SortFunc(l.samples, func(a, b sample) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return 0
	})
}

// Len returns the number of samples kept.
func (l Latencies) Len() int { return len(l.samples) }

// Quantile returns the latency below which a fraction q of the requests
// fall (nearest rank), or 0 if there are no samples.
func (l Latencies) Quantile(q float64) time.Duration {
	if len(l.samples) == 0 {
		return 0
	}
	rank := q * l.total
	var cum float64
	for _, s := range l.samples {
		cum += s.weight
		if cum >= rank {
			return s.d
		}
	}
	return l.samples[len(l.samples)-1].d
}

// Max returns the largest latency kept.
func (l Latencies) Max() time.Duration {
	if len(l.samples) == 0 {
		return 0
	}
	return l.samples[len(l.samples)-1].d
}
