package config

import "fmt"

// maxQuotedValue bounds how much of a rejected value an error repeats, so a
// huge or binary value cannot flood the log that reports it.
const maxQuotedValue = 64

// VarError reports an environment variable whose value Load rejected.
type VarError struct {
	Name    string // the variable, e.g. "APP_PORT"
	Value   string // the rejected value, as set
	Problem string // what is wrong with it, e.g. "is out of range"
	Fix     string // what to set instead
}

// Error formats the failure as `NAME: "value" problem: fix`.
func (e *VarError) Error() string {
	return fmt.Sprintf("%s: %s %s: %s", e.Name, quote(e.Value), e.Problem, e.Fix)
}

// quote renders v as a Go string literal so that control characters and
// invalid UTF-8 stay visible, truncating it to maxQuotedValue bytes.
func quote(v string) string {
	if len(v) <= maxQuotedValue {
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%q... (%d bytes)", v[:maxQuotedValue], len(v))
}
