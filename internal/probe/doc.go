// Package probe reads a deployed microstack service from the machine that
// runs the cluster: the message it answers GET / with, the address of its
// Service, and whether a pod is Ready. The end-to-end tests and the stacks
// bench both look at the service this way.
package probe
