// Package config loads the service's settings from environment variables.
//
// The deployment sets these variables through a ConfigMap. Every variable is
// optional; an unset variable takes its default. A variable that is set must
// be valid: an empty or malformed value is an error rather than a silent
// fallback to the default, so a typo in the ConfigMap stops the pod at start
// instead of shipping behaviour nobody asked for. Surrounding whitespace is
// ignored in every value except APP_MESSAGE, whose text is used verbatim.
// Variables with the APP_ prefix that are not listed here are ignored.
//
//	Variable                 Type      Default        Valid values
//	APP_PORT                 integer   8080           1 to 65535
//	APP_MESSAGE              string    Hello, World!  1 to 256 bytes of UTF-8
//	APP_LOG_LEVEL            string    info           debug, info, warn, error (any case)
//	APP_DRAIN_DELAY          duration  5s             0s to 5m
//	APP_SHUTDOWN_TIMEOUT     duration  10s            more than 0s, at most 5m
//	APP_READ_HEADER_TIMEOUT  duration  5s             more than 0s
//	APP_READ_TIMEOUT         duration  10s            more than 0s
//	APP_WRITE_TIMEOUT        duration  10s            more than 0s
//	APP_IDLE_TIMEOUT         duration  60s            more than 0s
//	APP_MAX_HEADER_BYTES     integer   16384          1024 to 1048576
//	APP_PPROF_ADDR           address   (none)         HOST:PORT, port 0 to 65535
//
// Durations use Go syntax (time.ParseDuration): "250ms", "5s", "1m30s". A
// bare number other than 0 has no unit and is rejected.
//
// APP_DRAIN_DELAY is how long the server keeps serving after SIGTERM while
// /readyz reports 503, which gives the Kubernetes endpoints controller time
// to take the pod out of its Service before connections are refused.
// APP_SHUTDOWN_TIMEOUT then bounds how long the server waits for in-flight
// requests; their sum must stay below the pod's
// terminationGracePeriodSeconds or the kubelet kills the process mid-drain.
//
// The remaining durations and APP_MAX_HEADER_BYTES set the fields of the
// same name on net/http.Server. APP_PPROF_ADDR serves net/http/pprof in a
// build with the pprof tag only; other builds log that they ignore it.
//
// Load reports every invalid variable at once, each as a *VarError naming
// the variable and the fix, so one failed rollout shows the whole problem:
//
//	APP_PORT: "99999" is out of range: set an integer from 1 to 65535
package config
