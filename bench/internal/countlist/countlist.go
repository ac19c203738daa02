package countlist

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a comma-separated list of positive counts. noun says what is
// counted, such as "connection count", for the error about an entry that
// is not one. An empty s is an empty entry, and so an error.
func Parse(s, noun string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive %s", f, noun)
		}
		out = append(out, n)
	}
	return out, nil
}

// Format writes counts the way Parse reads them, without spaces.
func Format(counts []int) string {
	s := make([]string, len(counts))
	for i, n := range counts {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
