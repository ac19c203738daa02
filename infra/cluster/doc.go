// Package cluster ties a stack to the one cluster its config names.
//
// Open connects through the stack's own kube context, never the current
// one. Preflight then asks the cluster, before the program declares
// anything, what only the cluster can tell: whether the namespace and the
// objects the stack would create are absent or already the stack's own
// (Pulumi's server-side apply would otherwise adopt them, and destroy would
// delete them), and whether a pod of the stack fits on any node. Provider
// declares the Pulumi provider for the same context.
package cluster
