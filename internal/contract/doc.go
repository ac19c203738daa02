// Package contract holds the facts the service and the program that
// deploys it must agree on: the environment the service reads (names,
// defaults, limits), the paths the kubelet and Prometheus call and the
// metrics the alert rules read. The service (app/) and the Pulumi
// program (infra/) both import it, so renaming one on one side only fails
// to compile or fails a test instead of a rollout.
package contract
