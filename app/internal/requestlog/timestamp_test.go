package requestlog

import (
	"sync"
	"testing"
	"time"
)

// wantRFC3339Nano is the formatting secondCache stands in for.
func wantRFC3339Nano(t time.Time) string {
	return string(t.Round(0).AppendFormat(nil, time.RFC3339Nano))
}

func TestSecondCacheMatchesAppendFormat(t *testing.T) {
	base := time.Date(2026, 12, 4, 12, 30, 5, 0, time.UTC)
	east := time.FixedZone("", 5*3600+30*60)
	lmt := time.FixedZone("LMT", -(4*3600 + 56*60 + 2)) // an offset with seconds
	tests := []struct {
		name  string
		times []time.Time
	}{
		{"fractions within one second", []time.Time{
			base.Add(123456789), base, base.Add(1), base.Add(999999999), base.Add(120 * time.Millisecond), base.Add(500),
		}},
		{"seconds in turn", []time.Time{
			base.Add(-1), base, base.Add(time.Second - 1), base.Add(time.Second), base.Add(time.Minute), base.Add(24 * time.Hour),
		}},
		{"one instant in several zones", []time.Time{
			base.Add(7), base.In(east).Add(7), base.In(lmt).Add(7), base.Local().Add(7), base.Add(7),
		}},
		{"years without four digits", []time.Time{
			base, time.Date(10000, 1, 1, 0, 0, 0, 5, time.UTC), base, time.Date(-1, 12, 31, 23, 59, 59, 1, time.UTC), base.Add(3),
		}},
		{"the edges of four digits", []time.Time{
			time.Date(0, 1, 1, 0, 0, 0, 10, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 20, east), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		}},
		{"monotonic readings", []time.Time{time.Now(), time.Now(), time.Now().Add(time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c secondCache
			for i, tm := range tt.times {
				if got, want := string(c.appendRFC3339Nano(nil, tm)), wantRFC3339Nano(tm); got != want {
					t.Errorf("time %d: got %s, want %s", i, got, want)
				}
			}
		})
	}
}

func TestNilSecondCacheFormatsInFull(t *testing.T) {
	var c *secondCache
	tm := time.Date(2026, 12, 4, 12, 30, 5, 40, time.UTC)
	if got, want := string(c.appendRFC3339Nano([]byte("x"), tm)), "x"+wantRFC3339Nano(tm); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestSecondCacheConcurrentSeconds has goroutines format times of
// different seconds through one cache, each replacing the second the
// others just cached; every one must still read its own.
func TestSecondCacheConcurrentSeconds(t *testing.T) {
	const goroutines, perGoroutine = 4, 2000
	var c secondCache
	base := time.Date(2026, 12, 4, 12, 30, 5, 0, time.UTC)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			buf := make([]byte, 0, 64)
			for i := range perGoroutine {
				tm := base.Add(time.Duration(g)*time.Hour + time.Duration(i%3)*time.Second + time.Duration(i))
				buf = c.appendRFC3339Nano(buf[:0], tm)
				if got, want := string(buf), wantRFC3339Nano(tm); got != want {
					t.Errorf("goroutine %d: got %s, want %s", g, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzSecondCache holds a cache primed with one time to AppendFormat for
// the next, in any zone.
func FuzzSecondCache(f *testing.F) {
	f.Add(int64(1796387405123456789), int64(1796387405000000001), 0, 0)
	f.Add(int64(1796387405123456789), int64(1796387405123456789), 0, 3600)
	f.Add(int64(-62135596800000000000/10), int64(0), -3599, 50399)
	f.Fuzz(func(t *testing.T, firstNS, nextNS int64, firstZone, nextZone int) {
		var c secondCache
		first := time.Unix(0, firstNS).In(time.FixedZone("", firstZone%(18*3600)))
		next := time.Unix(0, nextNS).In(time.FixedZone("", nextZone%(18*3600)))
		c.appendRFC3339Nano(nil, first)
		if got, want := string(c.appendRFC3339Nano(nil, next)), wantRFC3339Nano(next); got != want {
			t.Fatalf("after %s: got %s, want %s", wantRFC3339Nano(first), got, want)
		}
	})
}

func BenchmarkAppendRFC3339Nano(b *testing.B) {
	tm := time.Date(2026, 12, 4, 12, 30, 5, 123456789, time.UTC)
	buf := make([]byte, 0, 64)
	for _, bc := range []struct {
		name  string
		cache *secondCache
	}{
		{"cache=none", nil},
		{"cache=second", new(secondCache)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				buf = bc.cache.appendRFC3339Nano(buf[:0], tm)
			}
		})
	}
}
