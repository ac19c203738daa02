package loadavg

import (
	"os"
	"strings"
)

// file is where Linux publishes the load averages.
const file = "/proc/loadavg"

// Read returns the 1, 5 and 15 minute load averages as the kernel prints
// them, such as "0.50 0.40 0.30", or "unknown".
func Read() string {
	b, err := os.ReadFile(file)
	if err != nil {
		return "unknown"
	}
	return parse(string(b))
}

// parse picks the three averages out of the contents of /proc/loadavg,
// which go on with the running and total tasks and the last PID.
func parse(s string) string {
	f := strings.Fields(s)
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
