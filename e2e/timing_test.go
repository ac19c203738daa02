package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// steps runs ordered subtests, stopping at the first failure, and reports
// how long each took.
type steps struct {
	t     *testing.T
	names []string
	took  []time.Duration
}

func (s *steps) run(name string, f func(t *testing.T)) {
	start := time.Now()
	ok := s.t.Run(name, f)
	s.names = append(s.names, name)
	s.took = append(s.took, time.Since(start))
	if !ok {
		s.t.FailNow()
	}
}

func (s *steps) report() string {
	var b strings.Builder
	var total time.Duration
	for i, name := range s.names {
		fmt.Fprintf(&b, "  %-40s %8.1fs\n", name, s.took[i].Seconds())
		total += s.took[i]
	}
	fmt.Fprintf(&b, "  %-40s %8.1fs\n", "total", total.Seconds())
	return b.String()
}
