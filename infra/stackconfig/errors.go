package stackconfig

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one invalid setting: which key, what is wrong, how to fix it.
type FieldError struct {
	Key     string
	Problem string
	Fix     string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s; fix: %s", FullKey(e.Key), e.Problem, e.Fix)
}

// FullKey is key as written in a stack file: keys of the project's own
// namespace are kept without it, keys of any other namespace with theirs.
func FullKey(key string) string {
	if strings.Contains(key, ":") {
		return key
	}
	return Namespace + ":" + key
}

// InvalidKeys lists the keys named by the FieldErrors in err, in order.
func InvalidKeys(err error) []string {
	switch e := err.(type) {
	case *FieldError:
		return []string{e.Key}
	case interface{ Unwrap() []error }:
		var keys []string
		for _, inner := range e.Unwrap() {
			keys = append(keys, InvalidKeys(inner)...)
		}
		return keys
	case interface{ Unwrap() error }:
		return InvalidKeys(e.Unwrap())
	}
	return nil
}

// problems collects FieldErrors so that all of them are reported together.
type problems []error

func (p *problems) add(key, fix, format string, args ...any) {
	*p = append(*p, &FieldError{Key: key, Problem: fmt.Sprintf(format, args...), Fix: fix})
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("invalid stack configuration (%d problems):\n%w", len(p), errors.Join(p...))
}

// Join reports the problems of several checks of one stack as one error, as
// Load reports its own: every FieldError at once, nil when there is none.
func Join(errs ...error) error {
	var p problems
	for _, err := range errs {
		p = append(p, fieldErrors(err)...)
	}
	return p.err()
}

// fieldErrors returns the FieldErrors in err's tree, or err itself when it
// holds none.
func fieldErrors(err error) []error {
	var out []error
	switch e := err.(type) {
	case nil:
		return nil
	case *FieldError:
		return []error{e}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			out = append(out, fieldErrors(inner)...)
		}
	case interface{ Unwrap() error }:
		out = fieldErrors(e.Unwrap())
	}
	if len(out) == 0 {
		return []error{err}
	}
	return out
}
