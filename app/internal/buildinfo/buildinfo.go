package buildinfo

import "runtime"

// Version and Commit are variables rather than constants only because the
// linker's -X flag can set nothing else; nothing in the program assigns them.
var (
	// Version is the release the binary was built from, e.g. "v1.2.3".
	Version = "dev"
	// Commit is the VCS revision the binary was built from.
	Commit = "unknown"
)

// Info describes one build. It is a value so that callers, tests in
// particular, can describe a build other than the running one.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
}

// Get returns the build information of the running binary.
func Get() Info {
	return Info{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
}
