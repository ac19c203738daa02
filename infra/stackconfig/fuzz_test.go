package stackconfig

import (
	"errors"
	"strings"
	"testing"
)

func FuzzLoad(f *testing.F) {
	digest := "@sha256:" + strings.Repeat("0", 64)
	f.Add("microstack", "", "localhost:5001/microstack", "1", "false", "1", "3", "50m", "64Mi", "ClusterIP", "", false)
	f.Add("shop", "registry.example.com/shop"+digest, "", "2", "true", "3", "10", "1", "128Mi", "NodePort", `{"API_TOKEN":"t"}`, true)
	f.Add("MicroStack", "nginx:1.27", "localhost:5001/App:v1", "abc", "yes", "0", "-1", "lots", "64 MB", "ExternalName", `["x"]`, false)
	f.Add(strings.Repeat("a", 64), "@sha256:", "/", " 007 ", "TRUE", "9999999999999999999999", "5", "1e308", "0.1Ki", "", `{"APP_X":""}`, true)
	f.Add("-", "a@sha256:"+strings.Repeat("A", 64), "a//b", "0x10", "1", "+3", "2", "-1", "1E", "clusterip", `{"":"x","é":"y"}`, false)
	known := knownKeys()
	f.Fuzz(func(t *testing.T, name, image, repository, replicas, autoscaling, minReplicas, maxReplicas,
		cpuRequest, memoryLimit, serviceType, secretEnv string, secret bool) {
		values := map[string]string{
			KeyName: name, KeyImage: image, KeyImageRepository: repository,
			KeyReplicas: replicas, KeyAutoscaling: autoscaling,
			KeyMinReplicas: minReplicas, KeyMaxReplicas: maxReplicas,
			KeyCPURequest: cpuRequest, KeyMemoryLimit: memoryLimit,
			KeyServiceType: serviceType, KeySecretEnv: secretEnv,
		}
		src := MapSource{Values: values, Secrets: map[string]bool{KeySecretEnv: secret}}
		c, err := Load("dev", src)
		if err != nil {
			checkFieldErrors(t, err, known)
			return
		}
		checkAccepted(t, c)
	})
}

// knownKeys returns every key Load reads.
func knownKeys() keyRecorder {
	r := keyRecorder{}
	_, _ = Load("dev", r)
	return r
}

// keyRecorder is a Source that sets nothing and records what is asked.
type keyRecorder map[string]bool

func (r keyRecorder) Lookup(key string) (string, bool) { r[key] = true; return "", false }
func (r keyRecorder) IsSecret(string) bool             { return false }

// checkFieldErrors asserts that err is made of FieldErrors only, each
// naming a key Load reads, and that its text names each of them.
func checkFieldErrors(t *testing.T, err error, known keyRecorder) {
	t.Helper()
	leaves := leafErrors(err)
	if len(leaves) == 0 {
		t.Fatalf("Load() error %v holds no FieldError", err)
	}
	for _, leaf := range leaves {
		var fe *FieldError
		if !errors.As(leaf, &fe) {
			t.Errorf("Load() error holds %T %v, want only *FieldError", leaf, leaf)
			continue
		}
		if !known[fe.Key] {
			t.Errorf("FieldError names unknown key %q: %v", fe.Key, fe)
		}
		if !strings.Contains(err.Error(), Namespace+":"+fe.Key+":") || fe.Fix == "" {
			t.Errorf("error text does not name %s or give a fix: %v", fe.Key, err)
		}
	}
	if got := InvalidKeys(err); len(got) != len(leaves) {
		t.Errorf("InvalidKeys() = %q for %d errors", got, len(leaves))
	}
}

// leafErrors returns the errors at the leaves of err's tree.
func leafErrors(err error) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var leaves []error
		for _, inner := range e.Unwrap() {
			leaves = append(leaves, leafErrors(inner)...)
		}
		return leaves
	case *FieldError:
		return []error{e}
	case interface{ Unwrap() error }:
		return leafErrors(e.Unwrap())
	}
	return []error{err}
}

// checkAccepted asserts what an accepted configuration guarantees.
func checkAccepted(t *testing.T, c Config) {
	t.Helper()
	s := c.Scaling
	switch {
	case s.Replicas < 1 || s.Replicas > maxReplicas:
		t.Errorf("accepted replicas %d", s.Replicas)
	case s.Autoscaling && (s.MinReplicas < 1 || s.MinReplicas > s.MaxReplicas || s.MaxReplicas > maxReplicas):
		t.Errorf("accepted autoscaling %d..%d", s.MinReplicas, s.MaxReplicas)
	case c.Image.Build() && c.Image.Repository == "":
		t.Error("accepted a build without a repository")
	case !c.Image.Build() && !pinnedPattern.MatchString(c.Image.Existing):
		t.Errorf("accepted an unpinned image %q", c.Image.Existing)
	case c.Network.ServiceType != ServiceTypeClusterIP && c.Network.ServiceType != ServiceTypeNodePort &&
		c.Network.ServiceType != ServiceTypeLoadBalancer:
		t.Errorf("accepted service type %q", c.Network.ServiceType)
	}
	for name := range c.SecretEnv {
		if !envNamePattern.MatchString(name) || strings.HasPrefix(name, "APP_") {
			t.Errorf("accepted secretEnv name %q", name)
		}
	}
}
