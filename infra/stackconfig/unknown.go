package stackconfig

import (
	"fmt"
	"sort"
	"strings"
)

// KeyLister is a Source that also lists every key the stack sets, in the
// form of a stack file (namespace:key), so that a key the program does not
// read is reported instead of silently ignored.
type KeyLister interface {
	Keys() []string
}

// unknownKeys reports each key of the project's namespace that the program
// never read (a typo, a wrong case, a removed setting), naming the nearest
// known key, and each key of the default Kubernetes provider, which the
// program's own provider never reads. It must run after every read.
func (r reader) unknownKeys() {
	lister, ok := r.src.(KeyLister)
	if !ok {
		return
	}
	keys := lister.Keys()
	sort.Strings(keys)
	for _, full := range keys {
		ns, key, found := strings.Cut(full, ":")
		switch {
		case !found:
		case ns == Namespace && !r.read[key]:
			r.problems.add(key, r.unknownKeyFix(full, key), "is not a setting of this program, so it would be ignored")
		case ns == ProviderNamespace:
			r.problems.add(full, providerKeyFix(full, key),
				"has no effect: the program deploys through its own provider, configured by %s and %s",
				FullKey(KeyKubeContext), FullKey(KeyKubeconfig))
		}
	}
}

func (r reader) unknownKeyFix(full, key string) string {
	remove := fmt.Sprintf("pulumi config rm '%s'", full)
	if near := nearest(key, r.read); near != "" {
		return fmt.Sprintf("did you mean %s? %s, then pulumi config set %s <value>", near, remove, near)
	}
	return remove + " (Pulumi.yaml lists every setting)"
}

func providerKeyFix(full, key string) string {
	remove := fmt.Sprintf("pulumi config rm '%s'", full)
	switch key {
	case "context":
		return fmt.Sprintf("%s, then pulumi config set %s <context>", remove, KeyKubeContext)
	case "kubeconfig":
		return fmt.Sprintf("%s, then pulumi config set --secret %s < kubeconfig-file", remove, KeyKubeconfig)
	}
	return remove
}

// nearest returns the known key closest to key, ignoring case, or "" when
// none is close enough to be what was meant.
func nearest(key string, known map[string]bool) string {
	best, bestDistance := "", len(key)/3+2
	for k := range known {
		d := editDistance(strings.ToLower(key), strings.ToLower(k))
		if d < bestDistance || d == bestDistance && best != "" && k < best {
			best, bestDistance = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
