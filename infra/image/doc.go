// Package image decides which container image a stack runs: one built from
// the repository's Dockerfile and pushed with pulumi-docker, or an existing
// reference. Either way the result is pinned by digest, so a rebuilt image
// rolls the pods out and an unchanged one leaves them alone.
//
// A built image is stamped with the last commit that changed its inputs
// (the Dockerfile, .dockerignore and what it lets in) and that commit's
// `git describe`, or with the stack's imageVersion and imageCommit; its
// build context and Dockerfile are given relative to the program, so every
// checkout plans the same build; and it reads its layers back from the
// stack's previous push of its layer cache, an image of its own
// (REPOSITORY:TAG-buildcache, cacheFrom), so that the image deployed carries
// no cache metadata and the same source always gives the same digest.
package image
