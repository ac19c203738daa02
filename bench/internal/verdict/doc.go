// Package verdict records how a bench run did against the targets it is
// held to, and prints them the same way in every bench command.
//
// A Verdict pairs a target, such as "idle RSS ≤ 12.0 MB", with the figure
// the run measured and a Status: Met, Missed or Skipped. A target that
// could not be measured is Skipped rather than Missed, so that a run on a
// machine without Docker or a cluster still passes in strict mode on what
// it did measure. Write prints the verdicts as the report's last section
// and AnyMissed is what strict mode exits on.
package verdict
