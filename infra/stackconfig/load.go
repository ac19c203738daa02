package stackconfig

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Load reads the stack's settings from src over the defaults, derives what
// the stack leaves implicit, and validates the result. The error lists every
// problem found, parse and validation alike.
func Load(stack string, src Source) (Config, error) {
	c := Defaults()
	c.Stack = stack
	var p problems
	r := reader{src: src, problems: &p, read: map[string]bool{}}

	r.str(KeyKubeContext, &c.Cluster.Context)
	r.secret(KeyKubeconfig, &c.Cluster.Kubeconfig)
	r.boolean(KeyProtect, &c.Protect)

	r.str(KeyName, &c.Name)
	r.str(KeyNamespace, &c.Namespace)
	r.boolean(KeyCreateNamespace, &c.CreateNamespace)
	r.str(KeyMessage, &c.App.Message)
	r.str(KeyLogLevel, &c.App.LogLevel)

	r.str(KeyImage, &c.Image.Existing)
	r.str(KeyImageRepository, &c.Image.Repository)
	r.str(KeyImageTag, &c.Image.Tag)
	r.str(KeyBuilderImage, &c.Image.BuilderImage)
	r.str(KeyRuntimeImage, &c.Image.RuntimeImage)
	r.str(KeyImageVersion, &c.Image.Version)
	r.str(KeyImageCommit, &c.Image.Commit)
	r.str(KeyRegistryServer, &c.Image.Registry.Server)
	r.str(KeyRegistryUsername, &c.Image.Registry.Username)
	r.secret(KeyRegistryPassword, &c.Image.Registry.Password)

	r.integer(KeyReplicas, &c.Scaling.Replicas)
	r.boolean(KeyAutoscaling, &c.Scaling.Autoscaling)
	r.integer(KeyMinReplicas, &c.Scaling.MinReplicas)
	r.integer(KeyMaxReplicas, &c.Scaling.MaxReplicas)
	r.integer(KeyCPUUtilization, &c.Scaling.CPUUtilization)
	r.integer(KeyMemoryUtilization, &c.Scaling.MemoryUtilization)

	r.str(KeyCPURequest, &c.Resources.CPURequest)
	r.str(KeyCPULimit, &c.Resources.CPULimit)
	r.str(KeyMemoryRequest, &c.Resources.MemoryRequest)
	r.str(KeyMemoryLimit, &c.Resources.MemoryLimit)

	r.integer(KeyContainerPort, &c.Network.ContainerPort)
	r.str(KeyServiceType, &c.Network.ServiceType)
	r.integer(KeyServicePort, &c.Network.ServicePort)

	r.integer(KeyPreStopSeconds, &c.Lifecycle.PreStopSeconds)
	r.integer(KeyDrainSeconds, &c.Lifecycle.DrainSeconds)
	r.integer(KeyShutdownTimeoutSeconds, &c.Lifecycle.ShutdownTimeoutSeconds)
	r.integer(KeyRolloutTimeoutSeconds, &c.Lifecycle.RolloutTimeoutSeconds)

	r.secretMap(KeySecretEnv, &c.SecretEnv)

	r.str(KeyIngressHost, &c.Ingress.Host)
	r.str(KeyIngressClassName, &c.Ingress.ClassName)
	r.str(KeyIngressPath, &c.Ingress.Path)
	r.str(KeyIngressTLSSecret, &c.Ingress.TLSSecret)
	r.str(KeyIngressClusterIssuer, &c.Ingress.ClusterIssuer)

	r.str(KeyIngressControllerNamespace, &c.NetworkPolicy.IngressControllerNamespace)
	r.str(KeyMonitoringNamespace, &c.NetworkPolicy.MonitoringNamespace)
	r.list(KeyAllowFromNamespaces, &c.NetworkPolicy.AllowFromNamespaces)
	r.list(KeyAllowEgressTo, &c.NetworkPolicy.AllowEgressTo)

	r.boolean(KeyServiceMonitor, &c.Monitoring.ServiceMonitor)
	r.boolean(KeyPrometheusRule, &c.Monitoring.PrometheusRule)
	r.plainMap(KeyMonitoringLabels, &c.Monitoring.Labels)
	r.decimal(KeyAlertErrorRatio, &c.Monitoring.Alerts.ErrorRatio)
	r.decimal(KeyAlertLatencySeconds, &c.Monitoring.Alerts.LatencySeconds)
	r.str(KeyAlertWindow, &c.Monitoring.Alerts.Window)
	r.str(KeyAlertFor, &c.Monitoring.Alerts.For)
	r.unknownKeys()

	c.derive()
	c.validate(&p)
	return c, p.err()
}

// derive fills the settings whose defaults depend on others.
func (c *Config) derive() {
	if c.Namespace == "" {
		c.Namespace = c.Name + "-" + c.Stack
	}
	if c.Image.Tag == "" {
		c.Image.Tag = c.Stack
	}
	if c.Image.Registry.Server == "" {
		c.Image.Registry.Server = c.Image.Host()
	}
}

// registryHost is the registry part of a repository reference, or "" for
// Docker Hub's implicit one.
func registryHost(repository string) string {
	host, _, found := strings.Cut(repository, "/")
	if !found || !strings.ContainsAny(host, ".:") && host != "localhost" {
		return ""
	}
	return host
}

// reader parses raw values into typed fields, recording a FieldError for
// each one that does not parse and leaving the default in place.
type reader struct {
	src      Source
	problems *problems
	read     map[string]bool // every key asked for: the keys the program knows
}

// lookup reads key from the source and remembers that the program knows it.
func (r reader) lookup(key string) (string, bool) {
	r.read[key] = true
	return r.src.Lookup(key)
}

func (r reader) str(key string, dst *string) {
	if v, ok := r.lookup(key); ok {
		*dst = v
	}
}

func (r reader) integer(key string, dst *int) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set %s <whole number>", key), "%q is not a whole number", v)
		return
	}
	*dst = n
}

func (r reader) boolean(key string, dst *bool) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set %s true|false", key), "%q is not true or false", v)
		return
	}
	*dst = b
}

func (r reader) decimal(key string, dst *float64) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set %s <decimal number>, e.g. 0.05", key), "%q is not a number", v)
		return
	}
	*dst = f
}

// list reads an array of strings (a YAML list in the stack file).
func (r reader) list(key string, dst *[]string) {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return
	}
	var l []string
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set --path '%s[0]' <value>", key), "is not a list of strings")
		return
	}
	*dst = l
}

// plainMap reads an object of strings that may be stored in plain text.
func (r reader) plainMap(key string, dst *map[string]string) {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set --path '%s.NAME' <value>", key), "is not an object of string values")
		return
	}
	*dst = m
}

// secret reads a value that must be stored encrypted: a plain one is an
// error, so a password never sits readable in Pulumi.<stack>.yaml.
func (r reader) secret(key string, dst *string) {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return
	}
	if !r.src.IsSecret(key) {
		r.problems.add(key, fmt.Sprintf("pulumi config set --secret %s <value>", key),
			"is stored in plain text but must be a secret")
	}
	*dst = v
}

// secretMap reads an object of strings that must be stored encrypted.
func (r reader) secretMap(key string, dst *map[string]string) {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		r.problems.add(key, fmt.Sprintf("pulumi config set --secret --path '%s.NAME' <value>", key),
			"is not an object of string values")
		return
	}
	if len(m) > 0 && !r.src.IsSecret(key) {
		r.problems.add(key, fmt.Sprintf("pulumi config set --secret --path '%s.NAME' <value> for each entry", key),
			"is stored in plain text but must be a secret")
	}
	*dst = m
}
