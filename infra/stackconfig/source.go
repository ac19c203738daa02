package stackconfig

// Source is where raw settings come from: the stack's Pulumi config when
// the program runs (package pulumisource), a map in tests.
type Source interface {
	// Lookup returns the raw value of key (without the namespace) and
	// whether the stack sets it.
	Lookup(key string) (string, bool)
	// IsSecret reports whether the stack stores key encrypted.
	IsSecret(key string) bool
}

// MapSource is a Source backed by a map; keys listed in Secrets count as
// encrypted.
type MapSource struct {
	Values  map[string]string
	Secrets map[string]bool
}

// Lookup implements Source.
func (m MapSource) Lookup(key string) (string, bool) {
	v, ok := m.Values[key]
	return v, ok
}

// IsSecret implements Source.
func (m MapSource) IsSecret(key string) bool { return m.Secrets[key] }

// Keys implements KeyLister: the keys of Values, in stack-file form.
func (m MapSource) Keys() []string {
	keys := make([]string, 0, len(m.Values))
	for k := range m.Values {
		keys = append(keys, FullKey(k))
	}
	return keys
}
