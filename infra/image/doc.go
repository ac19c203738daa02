// Package image decides which container image a stack runs: one built from
// the repository's Dockerfile and pushed with pulumi-docker, or an existing
// reference. Either way the result is pinned by digest, so a rebuilt image
// rolls the pods out and an unchanged one leaves them alone.
package image
