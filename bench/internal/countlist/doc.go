// Package countlist reads and writes lists of positive counts in the form
// the bench commands take them on the command line: comma-separated, such
// as "1,16,64", with spaces around a count ignored.
//
// It checks only that each count is a positive integer. What else a list
// must be, such as increasing or bounded, is up to the command that takes
// it, which checks that on the list Parse returns.
package countlist
