// Package command runs the programs that the end-to-end tests and the
// benches drive (pulumi, git, the hack/ scripts) and reports their failures
// with what they wrote to stderr.
package command
