// Package stackconfig reads a stack's settings (the microstack: namespace of
// Pulumi config) into one typed Config and validates all of it before the
// program declares any resource.
//
// Every problem is reported at once, each naming the config key and the
// command that fixes it, so that a bad Pulumi.<stack>.yaml fails at
// `pulumi preview` with nothing touched in the cluster.
package stackconfig
