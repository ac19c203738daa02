// Command microstack serves the microstack HTTP API.
//
// It takes no flags: it is configured entirely through APP_* environment
// variables, documented in package config, which the deployment sets
// through a ConfigMap. Logs are JSON lines on standard output, written in
// batches at most 100ms apart (see package logwriter); a bad configuration
// is reported in plain text on standard error.
//
// SIGTERM or SIGINT starts a graceful drain (see server.Serve); a second
// signal ends the process at once.
//
// Exit codes: 0 after a clean shutdown, 1 if serving or shutdown failed,
// 2 if the configuration is invalid.
package main
