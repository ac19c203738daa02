// Package buildinfo reports which build of the service is running.
//
// Version and Commit are stamped by the linker so that a running pod can be
// traced back to the source it was built from:
//
//	go build -ldflags "-X github.com/microstack/microstack/app/internal/buildinfo.Version=v1.2.3 \
//	    -X github.com/microstack/microstack/app/internal/buildinfo.Commit=$(git rev-parse HEAD)" ./app
//
// A binary built without those flags reports "dev" and "unknown".
package buildinfo
