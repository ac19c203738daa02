// Package e2e proves microstack on a real cluster: the real Pulumi CLI, Go
// language host and pulumi-kubernetes provider run `preview`, `up` and
// `destroy` on the repository's own stack files through the Automation API,
// against the local single-node cluster of hack/cluster.sh whose node runs
// the app's real image.
//
// The tests run when MICROSTACK_E2E=1, which hack/test.sh sets after it has
// started the local environment and exported its variables (KUBECONFIG,
// DOCKER_HOST, PATH with the Pulumi CLI). Without it they skip, saying so.
package e2e
