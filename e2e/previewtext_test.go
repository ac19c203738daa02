package e2e

import (
	"bufio"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// diffText is what `pulumi preview --diff` printed, read back: the
// operation planned for each resource type, the property paths each one
// changes with their old and new values, and the summary.
type diffText struct {
	Ops     ops
	Changes map[string][]propertyChange // by resource type
	Summary string                      // e.g. "2 changes. 4 unchanged"
}

// propertyChange is one "~ key: old => new" line, with its full path.
type propertyChange struct {
	Path     string // e.g. spec.template.spec.containers[0].resources.limits.memory
	Old, New string
}

func (c propertyChange) String() string { return fmt.Sprintf("%s: %s => %s", c.Path, c.Old, c.New) }

var (
	// "    +-kubernetes:core/v1:ConfigMap: (replace)"
	resourceLine = regexp.MustCompile(`^\s*(?:[-+~<>]{1,2}\s*)?([A-Za-z0-9]+:[A-Za-z0-9/.-]*:[A-Za-z0-9]+): \(([a-z-]+)\)$`)
	// "      ~ data: {" or "  ~ [0]: {" or "~ containers: ["
	openLine = regexp.MustCompile(`^\s*[-+~]\s*(\S+?)\s*: [{\[]$`)
	// "          ~ APP_MESSAGE: "a" => "b""
	changeLine = regexp.MustCompile(`^\s*~\s*(\S+?)\s*: (.+?) => (.+)$`)
	closeLine  = regexp.MustCompile(`^\s*[}\]]$`)
	// "    2 changes. 4 unchanged"
	summaryLine = regexp.MustCompile(`^\s*(\d+ changes?\. \d+ unchanged)$`)
)

// parseDiffText reads the text of `pulumi preview --diff --color never`.
// The stack resource and refresh steps are left out, as in ops.
func parseDiffText(text string) (diffText, error) {
	d := diffText{Ops: ops{}, Changes: map[string][]propertyChange{}}
	var current string
	var path []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch m := matchAny(line); {
		case m.resource != nil:
			current, path = m.resource[1], nil
			if current == "pulumi:pulumi:Stack" || m.resource[2] == "refresh" {
				current = ""
				continue
			}
			// The text's operation words are the engine's own ("update", "replace", ...).
			d.Ops[current] = apitype.OpType(m.resource[2])
		case m.open != nil && current != "":
			path = append(path, m.open[1])
		case m.change != nil && current != "":
			c := propertyChange{Path: joinPath(append(slices.Clone(path), m.change[1])), Old: m.change[2], New: m.change[3]}
			d.Changes[current] = append(d.Changes[current], c)
		case closeLine.MatchString(line) && len(path) > 0:
			path = path[:len(path)-1]
		case m.summary != nil:
			d.Summary = m.summary[1]
		}
	}
	if err := sc.Err(); err != nil {
		return d, err
	}
	if d.Summary == "" {
		return d, fmt.Errorf("no change summary in the preview text:\n%s", text)
	}
	return d, nil
}

type lineMatch struct{ resource, open, change, summary []string }

func matchAny(line string) lineMatch {
	return lineMatch{
		resource: resourceLine.FindStringSubmatch(line),
		open:     openLine.FindStringSubmatch(line),
		change:   changeLine.FindStringSubmatch(line),
		summary:  summaryLine.FindStringSubmatch(line),
	}
}

// joinPath writes keys as a property path: list indexes attach to the key
// before them.
func joinPath(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 && !strings.HasPrefix(k, "[") {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}
