package stackconfig

import (
	"errors"
	"fmt"
)

// FieldError is one invalid setting: which key, what is wrong, how to fix it.
type FieldError struct {
	Key     string
	Problem string
	Fix     string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s:%s: %s; fix: %s", Namespace, e.Key, e.Problem, e.Fix)
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
