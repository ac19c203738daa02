package stackconfig

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Bounds the settings are checked against.
const (
	maxReplicas         = 100
	maxMessageBytes     = 256 // the app refuses longer messages at start
	minUnprivilegedPort = 1024
	maxPort             = 65535
	maxLifecycleSecond  = 300
)

// References, after the grammar of github.com/distribution/reference.
var (
	repositoryPattern = regexp.MustCompile(`^` + repositoryExpr + `$`)
	pinnedPattern     = regexp.MustCompile(`^` + repositoryExpr + `(?::` + tagExpr + `)?@sha256:[a-f0-9]{64}$`)
	tagPattern        = regexp.MustCompile(`^` + tagExpr + `$`)
	envNamePattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

const (
	domainComponentExpr = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domainExpr          = domainComponentExpr + `(?:\.` + domainComponentExpr + `)*(?::[0-9]+)?`
	pathComponentExpr   = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	repositoryExpr      = `(?:` + domainExpr + `/)?` + pathComponentExpr + `(?:/` + pathComponentExpr + `)*`
	tagExpr             = `[\w][\w.-]{0,127}`
)

// validate checks every rule and records each violation in p.
func (c Config) validate(p *problems) {
	c.validateNames(p)
	c.validateApp(p)
	c.validateImage(p)
	c.validateScaling(p)
	c.validateResources(p)
	c.validateNetwork(p)
	c.validateLifecycle(p)
	c.validateSecretEnv(p)
}

func (c Config) validateNames(p *problems) {
	dnsLabel(p, KeyName, c.Name)
	dnsLabel(p, KeyNamespace, c.Namespace)
}

func (c Config) validateApp(p *problems) {
	switch m := c.App.Message; {
	case m == "":
		p.add(KeyMessage, `pulumi config set message "Hello, World!"`, "must not be empty")
	case len(m) > maxMessageBytes || !utf8.ValidString(m):
		p.add(KeyMessage, "use at most 256 bytes of UTF-8 text", "is %d bytes or not valid UTF-8", len(m))
	}
	oneOf(p, KeyLogLevel, c.App.LogLevel, logLevels)
}

func (c Config) validateImage(p *problems) {
	img := c.Image
	if !img.Build() {
		if !pinnedPattern.MatchString(img.Existing) {
			p.add(KeyImage, "pulumi config set image REPOSITORY@sha256:DIGEST",
				"%q is not an image reference pinned by digest", img.Existing)
		}
		return
	}
	switch {
	case img.Repository == "":
		p.add(KeyImageRepository, "pulumi config set imageRepository REGISTRY/NAME (or set image to deploy an existing one)",
			"is required when the image is built")
	case !repositoryPattern.MatchString(img.Repository):
		p.add(KeyImageRepository, "use REGISTRY/NAME in lower case, without tag or digest, e.g. localhost:5001/microstack",
			"%q is not a valid repository", img.Repository)
	}
	if !tagPattern.MatchString(img.Tag) {
		p.add(KeyImageTag, "use letters, digits, '_', '.' and '-' (at most 128), e.g. pulumi config set imageTag v1",
			"%q is not a valid tag", img.Tag)
	}
	optionalReference(p, KeyBuilderImage, img.BuilderImage)
	optionalReference(p, KeyRuntimeImage, img.RuntimeImage)
	if img.Registry.Username != "" && img.Registry.Password == "" {
		p.add(KeyRegistryPassword, "pulumi config set --secret registryPassword <password>",
			"is required when registryUsername is set")
	}
}

func (c Config) validateScaling(p *problems) {
	s := c.Scaling
	intRange(p, KeyReplicas, s.Replicas, 1, maxReplicas)
	if !s.Autoscaling {
		return
	}
	intRange(p, KeyMinReplicas, s.MinReplicas, 1, maxReplicas)
	intRange(p, KeyMaxReplicas, s.MaxReplicas, 1, maxReplicas)
	if s.MinReplicas > s.MaxReplicas {
		p.add(KeyMaxReplicas, fmt.Sprintf("pulumi config set maxReplicas %d (or lower minReplicas)", s.MinReplicas),
			"%d is below minReplicas %d", s.MaxReplicas, s.MinReplicas)
	}
	intRange(p, KeyCPUUtilization, s.CPUUtilization, 1, 100)
	intRange(p, KeyMemoryUtilization, s.MemoryUtilization, 0, 100)
}

func (c Config) validateResources(p *problems) {
	r := c.Resources
	requestNotAboveLimit(p, KeyCPURequest, r.CPURequest, KeyCPULimit, r.CPULimit)
	requestNotAboveLimit(p, KeyMemoryRequest, r.MemoryRequest, KeyMemoryLimit, r.MemoryLimit)
}

func (c Config) validateNetwork(p *problems) {
	n := c.Network
	// The container drops every capability, so it cannot bind a privileged port.
	intRange(p, KeyContainerPort, n.ContainerPort, minUnprivilegedPort, maxPort)
	oneOf(p, KeyServiceType, n.ServiceType, []string{ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer})
	intRange(p, KeyServicePort, n.ServicePort, 1, maxPort)
}

func (c Config) validateLifecycle(p *problems) {
	l := c.Lifecycle
	intRange(p, KeyPreStopSeconds, l.PreStopSeconds, 0, maxLifecycleSecond)
	intRange(p, KeyDrainSeconds, l.DrainSeconds, 0, maxLifecycleSecond)
	intRange(p, KeyShutdownTimeoutSeconds, l.ShutdownTimeoutSeconds, 1, maxLifecycleSecond)
}

func (c Config) validateSecretEnv(p *problems) {
	names := make([]string, 0, len(c.SecretEnv))
	for name := range c.SecretEnv {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fix := fmt.Sprintf("pulumi config set --secret --path '%s.NAME' <value>, NAME a valid environment variable name", KeySecretEnv)
		switch {
		case !envNamePattern.MatchString(name):
			p.add(KeySecretEnv, fix, "%q is not a valid environment variable name", name)
		case strings.HasPrefix(name, "APP_"):
			p.add(KeySecretEnv, "rename it: APP_* variables come from the ConfigMap", "%q would shadow the app's settings", name)
		case c.SecretEnv[name] == "":
			p.add(KeySecretEnv, fix, "%q has an empty value", name)
		}
	}
}

func dnsLabel(p *problems, key, v string) {
	if errs := validation.IsDNS1123Label(v); len(errs) > 0 {
		p.add(key, fmt.Sprintf("pulumi config set %s <name>, lower-case letters, digits and '-', at most 63", key),
			"%q is not a DNS-1123 label: %s", v, strings.Join(errs, "; "))
	}
}

func oneOf(p *problems, key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		p.add(key, fmt.Sprintf("pulumi config set %s %s", key, strings.Join(allowed, "|")),
			"%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

func intRange(p *problems, key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.add(key, fmt.Sprintf("pulumi config set %s <%d..%d>", key, lo, hi), "%d is out of range %d..%d", v, lo, hi)
	}
}

func optionalReference(p *problems, key, v string) {
	if v == "" {
		return
	}
	name, _, _ := strings.Cut(v, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	if !repositoryPattern.MatchString(name) {
		p.add(key, fmt.Sprintf("pulumi config set %s REGISTRY/NAME[:TAG][@DIGEST]", key), "%q is not a valid image reference", v)
	}
}

// requestNotAboveLimit parses both quantities the way the API server does
// and checks that the request fits within the limit.
func requestNotAboveLimit(p *problems, reqKey, reqValue, limKey, limValue string) {
	req, reqErr := positiveQuantity(p, reqKey, reqValue)
	lim, limErr := positiveQuantity(p, limKey, limValue)
	if reqErr || limErr {
		return
	}
	if req.Cmp(lim) > 0 {
		p.add(reqKey, fmt.Sprintf("lower %s or raise %s", reqKey, limKey),
			"%s is above %s %s", reqValue, limKey, limValue)
	}
}

func positiveQuantity(p *problems, key, v string) (q resource.Quantity, failed bool) {
	fix := fmt.Sprintf("pulumi config set %s <quantity>, e.g. 100m for CPU or 64Mi for memory", key)
	q, err := resource.ParseQuantity(v)
	if err != nil {
		p.add(key, fix, "%q is not a Kubernetes quantity", v)
		return q, true
	}
	if q.Sign() <= 0 {
		p.add(key, fix, "%q must be above zero", v)
		return q, true
	}
	return q, false
}
