package stackconfig

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/microstack/microstack/internal/contract"
)

// Bounds the settings are checked against.
const (
	maxReplicas         = 100
	minUnprivilegedPort = 1024
	maxPort             = 65535
	// A pre-stop pause longer than the app's own bounds would only delay
	// every rollout.
	maxPreStopSeconds = 300
	// The app refuses a longer drain or shutdown at start.
	maxDrainSeconds    = int(contract.MaxDrainDelay / time.Second)
	maxShutdownSeconds = int(contract.MaxShutdownTimeout / time.Second)
	// A rollout needs time to pull, start and probe a pod; an hour is
	// longer than any release should be left half done.
	minRolloutSeconds = 30
	maxRolloutSeconds = 3600
	// maxLabelValue is the longest label value Kubernetes accepts.
	maxLabelValue = 63
	// maxEnvValueBytes is the longest single environment string Linux
	// passes to a process (MAX_ARG_STRLEN).
	maxEnvValueBytes = 128 << 10
)

// Floors below which the app cannot start, or starves: the Go runtime
// and the service's idle heap take about 10 MB, and its probes answer
// within their 2 s timeout only with some CPU.
const (
	minMemoryLimit = "32Mi"
	minCPULimit    = "20m"
)

// systemNamespaces belong to the cluster, never to a stack.
var systemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// References, after the grammar of github.com/distribution/reference.
var (
	repositoryPattern = regexp.MustCompile(`^` + repositoryExpr + `$`)
	pinnedPattern     = regexp.MustCompile(`^` + repositoryExpr + `(?::` + tagExpr + `)?@sha256:[a-f0-9]{64}$`)
	tagPattern        = regexp.MustCompile(`^` + tagExpr + `$`)
	envNamePattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// A git object name: abbreviated to 7 digits at least, SHA-256 at most.
	commitPattern = regexp.MustCompile(`^[0-9a-f]{7,64}$`)
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
	c.validateCluster(p)
	c.validateNames(p)
	c.validateApp(p)
	c.validateImage(p)
	c.validateScaling(p)
	c.validateResources(p)
	c.validateNetwork(p)
	c.validateLifecycle(p)
	c.validateSecretEnv(p)
	c.validateIngress(p)
	c.validateNetworkPolicy(p)
	c.validateMonitoring(p)
	c.validateEffects(p)
}

func (c Config) validateCluster(p *problems) {
	if c.Cluster.Context == "" {
		p.add(KeyKubeContext, "pulumi config set kubeContext <context> (kubectl config get-contexts lists them)",
			"is required: a stack deploys only to the cluster it names, never to the current context")
	}
}

// validateNames checks the names the program derives against every kind
// that carries them: the name is the Service's name (a DNS-1035 label, the
// strictest of its kinds), and with the stack it makes the
// app.kubernetes.io/instance label of every object.
func (c Config) validateNames(p *problems) {
	if errs := validation.IsDNS1035Label(c.Name); len(errs) > 0 {
		p.add(KeyName, "pulumi config set name <name>: a lower-case letter first, then letters, digits and '-', at most 63",
			"%q cannot name a Service: %s", c.Name, strings.Join(errs, "; "))
	} else if instance := c.Instance(); len(validation.IsValidLabelValue(instance)) > 0 {
		p.add(KeyName, fmt.Sprintf("shorten name to at most %d characters for stack %q", maxLabelValue-len(c.Stack)-1, c.Stack),
			"with the stack it makes the label value %q (%d characters), which Kubernetes refuses", instance, len(instance))
	}
	dnsLabel(p, KeyNamespace, c.Namespace)
	c.validateNamespaceOwner(p)
}

// validateNamespaceOwner refuses namespaces a stack can never own.
func (c Config) validateNamespaceOwner(p *problems) {
	switch {
	case slices.Contains(systemNamespaces, c.Namespace) || strings.HasPrefix(c.Namespace, "kube-"):
		p.add(KeyNamespace, "pulumi config set namespace <the stack's own namespace>",
			"%q is a system namespace: it belongs to the cluster, not to a stack", c.Namespace)
	case c.Namespace == "default" && c.CreateNamespace:
		p.add(KeyCreateNamespace, "pulumi config set createNamespace false to deploy into default, or choose another namespace",
			"the default namespace always exists and can never be the stack's own")
	}
}

func (c Config) validateApp(p *problems) {
	switch m := c.App.Message; {
	case m == "":
		p.add(KeyMessage, fmt.Sprintf("pulumi config set message %q", contract.DefaultMessage), "must not be empty")
	case len(m) > contract.MaxMessageBytes || !utf8.ValidString(m):
		p.add(KeyMessage, fmt.Sprintf("use at most %d bytes of UTF-8 text", contract.MaxMessageBytes), "is %d bytes or not valid UTF-8", len(m))
	}
	if strings.ContainsRune(c.App.Message, 0) {
		p.add(KeyMessage, "remove the NUL character", "contains a NUL character, which no process environment can hold")
	}
	oneOf(p, KeyLogLevel, c.App.LogLevel, contract.LogLevels())
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
	maxTag := maxTagLength - len(CacheTagSuffix)
	switch {
	case !tagPattern.MatchString(img.Tag) || len(img.Tag) > maxTag:
		p.add(KeyImageTag, fmt.Sprintf("use letters, digits, '_', '.' and '-' (at most %d: the layer cache's tag adds %s), e.g. pulumi config set imageTag v1", maxTag, CacheTagSuffix),
			"%q is not a valid tag", img.Tag)
	case strings.HasSuffix(img.Tag, CacheTagSuffix):
		p.add(KeyImageTag, fmt.Sprintf("choose a tag that does not end with %s, e.g. pulumi config set imageTag v1", CacheTagSuffix),
			"%q ends like the tag of a layer cache", img.Tag)
	}
	optionalReference(p, KeyBuilderImage, img.BuilderImage)
	optionalReference(p, KeyRuntimeImage, img.RuntimeImage)
	if img.Version != "" && !tagPattern.MatchString(img.Version) {
		p.add(KeyImageVersion, "use letters, digits, '_', '.' and '-' (at most 128), e.g. pulumi config set imageVersion v1.4.0",
			"%q is not a valid version", img.Version)
	}
	if img.Commit != "" && !commitPattern.MatchString(img.Commit) {
		p.add(KeyImageCommit, "use the commit's hexadecimal hash, e.g. pulumi config set imageCommit $(git rev-parse HEAD)",
			"%q is not a commit hash", img.Commit)
	}
	validateRegistry(p, img)
}

// validateRegistry checks that the credentials fit together and belong to
// the registry the images come from: the program pushes with them and the
// pods pull with them.
func validateRegistry(p *problems, img Image) {
	r := img.Registry
	switch {
	case r.Username != "" && r.Password == "":
		p.add(KeyRegistryPassword, "pulumi config set --secret registryPassword <password>",
			"is required when registryUsername is set")
	case r.Username == "" && r.Password != "":
		p.add(KeyRegistryUsername, "pulumi config set registryUsername <user> (or pulumi config rm registryPassword)",
			"is required when registryPassword is set: a password alone logs in nowhere")
	}
	host := img.Host()
	switch {
	case r.Server == "" || r.Server == host:
	case r.Username == "":
		p.add(KeyRegistryServer, "pulumi config rm registryServer, or set registryUsername and registryPassword",
			"has no effect without registryUsername: it only says where to log in")
	default:
		p.add(KeyRegistryServer, fmt.Sprintf("pulumi config set registryServer %q, or pulumi config rm registryServer", host),
			"%q is not the registry the image comes from (%q): its credentials would never be used", r.Server, host)
	}
}

func (c Config) validateScaling(p *problems) {
	s := c.Scaling
	if !s.Autoscaling {
		intRange(p, KeyReplicas, s.Replicas, 1, maxReplicas)
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
	atLeast(p, KeyCPULimit, r.CPULimit, minCPULimit, "the app's probes would time out")
	atLeast(p, KeyMemoryLimit, r.MemoryLimit, minMemoryLimit, "the app would be killed for memory as it starts")
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
	intRange(p, KeyPreStopSeconds, l.PreStopSeconds, 0, maxPreStopSeconds)
	intRange(p, KeyDrainSeconds, l.DrainSeconds, 0, maxDrainSeconds)
	intRange(p, KeyShutdownTimeoutSeconds, l.ShutdownTimeoutSeconds, 1, maxShutdownSeconds)
	intRange(p, KeyRolloutTimeoutSeconds, l.RolloutTimeoutSeconds, minRolloutSeconds, maxRolloutSeconds)
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
		case strings.HasPrefix(name, contract.EnvPrefix):
			p.add(KeySecretEnv, "rename it: "+contract.EnvPrefix+"* variables come from the ConfigMap", "%q would shadow the app's settings", name)
		case c.SecretEnv[name] == "":
			p.add(KeySecretEnv, fix, "%q has an empty value", name)
		case strings.ContainsRune(c.SecretEnv[name], 0) || len(c.SecretEnv[name]) > maxEnvValueBytes:
			p.add(KeySecretEnv, fmt.Sprintf("use a value without NUL characters, at most %d bytes", maxEnvValueBytes),
				"%q cannot reach a process environment: it holds a NUL character or is too long", name)
		}
	}
}

// validateEffects reports settings that other settings make meaningless, so
// that nobody believes in a value the stack ignores. A key set to its
// default changes nothing either way and is let through: Pulumi passes the
// project's defaults to the program as if the stack had set them.
func (c Config) validateEffects(p *problems) {
	s, d := c.Scaling, Defaults().Scaling
	if s.Autoscaling {
		if s.Replicas != d.Replicas {
			p.add(KeyReplicas, "pulumi config rm replicas (minReplicas and maxReplicas bound the autoscaler)",
				"has no effect while autoscaling is true")
		}
		return
	}
	noEffect(p, "pulumi config rm %s, or pulumi config set autoscaling true",
		"has no effect while autoscaling is false (replicas sets the pod count)",
		setting{KeyMinReplicas, s.MinReplicas != d.MinReplicas},
		setting{KeyMaxReplicas, s.MaxReplicas != d.MaxReplicas},
		setting{KeyCPUUtilization, s.CPUUtilization != d.CPUUtilization},
		setting{KeyMemoryUtilization, s.MemoryUtilization != d.MemoryUtilization})
}

// setting is a key and whether the stack moved it off its default.
type setting struct {
	key     string
	changed bool
}

// noEffect reports each changed setting as meaningless: fix is a format
// taking the key, problem says which other setting makes it so.
func noEffect(p *problems, fix, problem string, settings ...setting) {
	for _, s := range settings {
		if s.changed {
			p.add(s.key, fmt.Sprintf(fix, s.key), "%s", problem)
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

// atLeast checks that a quantity that parses is not below floor.
func atLeast(p *problems, key, v, floor, why string) {
	q, err := resource.ParseQuantity(v)
	if err != nil || q.Sign() <= 0 {
		return // reported by positiveQuantity
	}
	if q.Cmp(resource.MustParse(floor)) < 0 {
		p.add(key, fmt.Sprintf("pulumi config set %s %s or more", key, floor), "%s is below %s: %s", v, floor, why)
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
