package verdict

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Status is how a figure compares with its target.
type Status string

// The statuses. Missed is in capitals so that it stands out in a column of
// met ones.
const (
	Met     Status = "met"
	Missed  Status = "MISSED"
	Skipped Status = "skipped"
)

// Check is Met when ok and Missed otherwise.
func Check(ok bool) Status {
	if ok {
		return Met
	}
	return Missed
}

// Verdict is one target and how the run did against it.
type Verdict struct {
	Target string
	Figure string // what the run measured, or why it did not
	Status Status
}

// AnyMissed reports whether any of vs was missed; skipped ones do not count.
func AnyMissed(vs []Verdict) bool {
	for _, v := range vs {
		if v.Status == Missed {
			return true
		}
	}
	return false
}

// Write prints vs as the "targets" section of a report, one aligned line
// each: status, target, figure.
func Write(w io.Writer, vs []Verdict) {
	fmt.Fprintf(w, "\ntargets\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range vs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Status, v.Target, v.Figure)
	}
	tw.Flush()
}
