// Command ceiling is the fastest server microstack's GET / could be: a bare
// net/http handler that answers every request with the bytes and headers
// the service answers GET / with, and does nothing else.
//
// The bench runs it beside the real service, under the same load, so the
// ratio of the two is what routing, logging and metrics cost.
//
// Usage:
//
//	ceiling [-addr 127.0.0.1:8081] [-message "Hello, World!"]
//
// It serves until it is killed.
package main
