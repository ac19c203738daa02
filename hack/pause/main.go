// Command pause is the sandbox ("pause") container of the local cluster's
// node: it holds the pod's namespaces open and does nothing else until it is
// told to stop. It is built statically (CGO_ENABLED=0) into a FROM-scratch
// image by hack/images.sh because no upstream pause image can be pulled here.
//
// As PID 1 of a pod that shares its PID namespace it also reaps orphaned
// children, which would otherwise stay as zombies.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("microstack pause")
		return
	}

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)

	for sig := range sigs {
		if sig == syscall.SIGCHLD {
			reap()
			continue
		}
		os.Exit(0)
	}
}

// reap collects every child that has exited, without blocking.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
