package requestlog

import (
	"sync/atomic"
	"time"
)

// secondCache formats times as time.RFC3339Nano, as slog does, keeping the
// formatted date, clock and zone of the last second it saw. Requests
// served within one second share all of their timestamp but the fraction,
// and formatting the calendar fields is the larger part of encoding a
// request record. The zero value is ready to use and safe for concurrent
// use; a nil *secondCache formats every time in full.
type secondCache struct {
	last atomic.Pointer[formattedSecond]
}

// formattedSecond is one second of one location, formatted.
type formattedSecond struct {
	unix int64
	loc  *time.Location
	// clock is "2006-01-02T15:04:05", zone "Z" or "-07:00".
	clock, zone []byte
}

// RFC 3339 writes four-digit years only; time.AppendFormat writes others
// as they are, which the split of a formatted second does not expect.
const (
	minCachedYear = 0
	maxCachedYear = 9999
)

// appendRFC3339Nano appends t formatted as time.RFC3339Nano, without its
// monotonic reading, as t.Round(0).AppendFormat(b, time.RFC3339Nano) does.
func (c *secondCache) appendRFC3339Nano(b []byte, t time.Time) []byte {
	if c == nil {
		return appendFull(b, t)
	}
	s := c.last.Load()
	if s == nil || s.unix != t.Unix() || s.loc != t.Location() {
		if y := t.Year(); y < minCachedYear || y > maxCachedYear {
			return appendFull(b, t)
		}
		s = formatSecond(t)
		c.last.Store(s)
	}
	b = append(b, s.clock...)
	b = appendFraction(b, t.Nanosecond())
	return append(b, s.zone...)
}

// appendFull appends t formatted in full, the monotonic reading stripped
// as slog does.
func appendFull(b []byte, t time.Time) []byte {
	return t.Round(0).AppendFormat(b, time.RFC3339Nano)
}

// formatSecond formats the second of t, whose year has four digits.
func formatSecond(t time.Time) *formattedSecond {
	// A whole second formats with no fraction: the clock, then the zone.
	whole := t.Add(-time.Duration(t.Nanosecond()))
	full := whole.AppendFormat(nil, time.RFC3339Nano)
	zoneLen := len("-07:00")
	if full[len(full)-1] == 'Z' {
		zoneLen = len("Z")
	}
	split := len(full) - zoneLen
	return &formattedSecond{unix: t.Unix(), loc: t.Location(), clock: full[:split], zone: full[split:]}
}

// appendFraction appends ns as RFC3339Nano's ".999999999" does: a point
// and up to nine digits with the trailing zeros dropped, nothing at all
// for a whole second.
func appendFraction(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := len(digits)
	for digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}
