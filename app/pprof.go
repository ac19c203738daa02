//go:build pprof

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// envPprofAddr names the variable that, in a profiling build, sets the
// address net/http/pprof is served on, e.g. 127.0.0.1:6060. The endpoints
// stay off the service's own listener and out of its routes and metrics.
//
// Only a build with the pprof tag has them:
//
//	go build -tags pprof -o microstack-pprof ./app
//
// The image is built without it.
const envPprofAddr = "APP_PPROF_ADDR"

func init() {
	addr, ok := os.LookupEnv(envPprofAddr)
	if !ok {
		return
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "microstack: %s: %v\n", envPprofAddr, err)
		os.Exit(exitConfig)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		// The profiling listener lives as long as the process; if it
		// fails, the service goes on without it.
		err := http.Serve(ln, mux)
		fmt.Fprintf(os.Stderr, "microstack: pprof: %v\n", err)
	}()
}
