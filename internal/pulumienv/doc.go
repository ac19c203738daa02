// Package pulumienv gives the end-to-end tests and the stacks bench the
// local Pulumi environment that hack/lib/pulumi-env.sh defines for the
// scripts: a file backend and CLI home under a state directory of their
// own, the local passphrase, no plugin downloads, and each resource plugin
// of go.mod's SDKs installed at its SDK's version. There is one
// definition, in the shell library; this package reads what it exports.
package pulumienv
