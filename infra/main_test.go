package main

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/microstack/microstack/infra/service"
	"github.com/microstack/microstack/infra/stackconfig"
)

const (
	typeNamespace  = "kubernetes:core/v1:Namespace"
	typeConfigMap  = "kubernetes:core/v1:ConfigMap"
	typeSecret     = "kubernetes:core/v1:Secret"
	typeDeployment = "kubernetes:apps/v1:Deployment"
	typeService    = "kubernetes:core/v1:Service"
	typeHPA        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	typePDB        = "kubernetes:policy/v1:PodDisruptionBudget"
	typeAccount    = "kubernetes:core/v1:ServiceAccount"
	typeProvider   = "pulumi:providers:kubernetes"

	typeNetworkPolicy  = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	typeIngress        = "kubernetes:networking.k8s.io/v1:Ingress"
	typeServiceMonitor = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
	typePrometheusRule = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
)

// loadConfig parses sc the way the program does, to know what to expect.
func loadConfig(t *testing.T, stack string, sc stackConfig) stackconfig.Config {
	t.Helper()
	secrets := map[string]bool{}
	for _, k := range sc.secrets {
		secrets[strings.TrimPrefix(k, stackconfig.Namespace+":")] = true
	}
	values := map[string]string{}
	for k, v := range sc.values {
		values[strings.TrimPrefix(k, stackconfig.Namespace+":")] = v
	}
	cfg, err := stackconfig.Load(stack, stackconfig.MapSource{Values: values, Secrets: secrets})
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	return cfg
}

func TestStacks(t *testing.T) {
	for _, stack := range stacks(t) {
		t.Run(stack, func(t *testing.T) {
			sc := loadStackFile(t, stack)
			cfg := loadConfig(t, stack, sc)
			e, err := run(t, stack, sc)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			assertCounts(t, e, cfg)
			assertDeployment(t, e, cfg)
			assertService(t, e, cfg)
			assertScaling(t, e, cfg)
			assertOwnership(t, e, cfg)
		})
	}
}

// assertOwnership checks what keeps a stack to its own cluster and objects:
// every Kubernetes object goes through the stack's provider, which names the
// stack's context, forces the program's values on apply, carries the
// stack's instance label, and is protected when the stack says so.
func assertOwnership(t *testing.T, e *engine, cfg stackconfig.Config) {
	t.Helper()
	p := e.one(t, typeProvider)
	if got := p.get("context").StringValue(); got != cfg.Cluster.Context {
		t.Errorf("provider context = %q, want %q", got, cfg.Cluster.Context)
	}
	for _, r := range e.resources {
		if !strings.HasPrefix(r.typ, "kubernetes:") {
			continue
		}
		if !strings.HasPrefix(r.provider, "urn:") || !strings.Contains(r.provider, "::"+p.name+"::") {
			t.Errorf("%s %s goes through provider %q, want the stack's %s", r.typ, r.name, r.provider, p.name)
		}
		if got := r.get("metadata", "annotations", "pulumi.com/patchForce").StringValue(); got != "true" {
			t.Errorf("%s %s: annotation pulumi.com/patchForce = %q, want \"true\"", r.typ, r.name, got)
		}
		if got := r.get("metadata", "labels", "app.kubernetes.io/instance").StringValue(); got != cfg.Instance() {
			t.Errorf("%s %s: instance label = %q, want %q", r.typ, r.name, got, cfg.Instance())
		}
		replaceable := r.typ == typeConfigMap || r.typ == typeSecret
		if want := cfg.Protect && !replaceable; r.protect != want {
			t.Errorf("%s %s: protect = %v, want %v", r.typ, r.name, r.protect, want)
		}
	}
}

func assertCounts(t *testing.T, e *engine, cfg stackconfig.Config) {
	t.Helper()
	want := map[string]int{
		service.TypeToken: 1, typeProvider: 1, typeNamespace: 1, typeConfigMap: 1, typeSecret: 0,
		typeDeployment: 1, typeService: 1, typeHPA: 1, typePDB: 0, typeAccount: 1, typeImage: 2,
		typeNetworkPolicy: 1, typeIngress: 0, typeServiceMonitor: 0, typePrometheusRule: 0,
	}
	if cfg.Scaling.MinAvailableReplicas() > 1 {
		want[typePDB] = 1
	}
	if cfg.Ingress.Enabled() {
		want[typeIngress] = 1
	}
	if cfg.Monitoring.ServiceMonitor {
		want[typeServiceMonitor] = 1
	}
	if cfg.Monitoring.PrometheusRule {
		want[typePrometheusRule] = 1
	}
	for typ, n := range want {
		if got := len(e.ofType(typ)); got != n {
			t.Errorf("%d %s, want %d", got, typ, n)
		}
	}
	if got := len(e.resources); got != sum(want) {
		t.Errorf("%d resources registered, want %d", got, sum(want))
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func assertDeployment(t *testing.T, e *engine, cfg stackconfig.Config) {
	t.Helper()
	d := e.one(t, typeDeployment)
	selector := d.get("spec", "selector", "matchLabels").ObjectValue()
	podLabels := d.get("spec", "template", "metadata", "labels").ObjectValue()
	for k, v := range selector {
		if !podLabels[k].DeepEquals(v) {
			t.Errorf("pod label %s = %v, selector wants %v", k, podLabels[k], v)
		}
	}
	if _, ok := selector["app.kubernetes.io/name"]; !ok {
		t.Errorf("selector %v lacks app.kubernetes.io/name", selector)
	}
	if got := d.get("metadata", "namespace"); got.StringValue() != cfg.Namespace {
		t.Errorf("namespace = %v, want %s", got, cfg.Namespace)
	}

	pod := d.get("spec", "template", "spec")
	c := path(pod, "containers", 0)
	image, _ := images(t, e)
	if want := fakeDigest(image.get("imageName").StringValue()); path(c, "image").StringValue() != want {
		t.Errorf("container image = %v, want the pushed digest %s", path(c, "image"), want)
	}
	probes := map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"}
	for probe, want := range probes {
		if got := path(c, probe, "httpGet", "path").StringValue(); got != want {
			t.Errorf("%s path = %q, want %q", probe, got, want)
		}
		if got := path(c, probe, "httpGet", "port").StringValue(); got != "http" {
			t.Errorf("%s port = %q, want the named port http", probe, got)
		}
	}
	assertRestricted(t, pod, c)
	assertLifecycle(t, d, pod, c, cfg)

	envFrom := path(c, "envFrom", 0, "configMapRef", "name")
	cm := e.one(t, typeConfigMap)
	if envFrom.IsNull() || !cm.get("metadata", "name").IsNull() {
		t.Errorf("ConfigMap must be auto-named and referenced: envFrom=%v metadata.name=%v", envFrom, cm.get("metadata", "name"))
	}
	if got := cm.get("data", "APP_MESSAGE").StringValue(); got != cfg.App.Message {
		t.Errorf("APP_MESSAGE = %q, want %q", got, cfg.App.Message)
	}
	annotations := d.get("spec", "template", "metadata", "annotations").ObjectValue()
	if annotations["prometheus.io/scrape"].StringValue() != "true" || annotations["prometheus.io/path"].StringValue() != "/metrics" {
		t.Errorf("scrape annotations = %v", annotations)
	}
}

func assertRestricted(t *testing.T, pod, c resource.PropertyValue) {
	t.Helper()
	checks := []struct {
		what string
		got  resource.PropertyValue
		want any
	}{
		{"pod runAsNonRoot", path(pod, "securityContext", "runAsNonRoot"), true},
		{"pod seccomp", path(pod, "securityContext", "seccompProfile", "type"), "RuntimeDefault"},
		{"automountServiceAccountToken", path(pod, "automountServiceAccountToken"), false},
		{"allowPrivilegeEscalation", path(c, "securityContext", "allowPrivilegeEscalation"), false},
		{"readOnlyRootFilesystem", path(c, "securityContext", "readOnlyRootFilesystem"), true},
		{"capabilities drop", path(c, "securityContext", "capabilities", "drop", 0), "ALL"},
	}
	for _, ch := range checks {
		if !ch.got.DeepEquals(resource.NewPropertyValue(ch.want)) {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	for _, limit := range []string{"cpu", "memory"} {
		if path(c, "resources", "limits", limit).IsNull() || path(c, "resources", "requests", limit).IsNull() {
			t.Errorf("container lacks a %s request or limit", limit)
		}
	}
}

func assertLifecycle(t *testing.T, d registered, pod, c resource.PropertyValue, cfg stackconfig.Config) {
	t.Helper()
	l := cfg.Lifecycle
	if got := path(c, "lifecycle", "preStop", "sleep", "seconds"); got.NumberValue() != float64(l.PreStopSeconds) {
		t.Errorf("preStop sleep = %v, want %d", got, l.PreStopSeconds)
	}
	grace := path(pod, "terminationGracePeriodSeconds").NumberValue()
	if grace <= float64(l.PreStopSeconds+l.DrainSeconds+l.ShutdownTimeoutSeconds) {
		t.Errorf("terminationGracePeriodSeconds %v does not outlast preStop %d + drain %d + shutdown %d",
			grace, l.PreStopSeconds, l.DrainSeconds, l.ShutdownTimeoutSeconds)
	}
	if got := d.get("spec", "strategy", "rollingUpdate", "maxUnavailable"); got.NumberValue() != 0 || got.IsNull() {
		t.Errorf("maxUnavailable = %v, want 0", got)
	}
}

func assertService(t *testing.T, e *engine, cfg stackconfig.Config) {
	t.Helper()
	svc := e.one(t, typeService)
	d := e.one(t, typeDeployment)
	if !svc.get("spec", "selector").DeepEquals(d.get("spec", "selector", "matchLabels")) {
		t.Errorf("Service selector %v != Deployment selector %v", svc.get("spec", "selector"), d.get("spec", "selector", "matchLabels"))
	}
	port := svc.get("spec", "ports", 0)
	if path(port, "name").StringValue() != "http" || path(port, "targetPort").StringValue() != "http" ||
		path(port, "port").NumberValue() != float64(cfg.Network.ServicePort) {
		t.Errorf("Service port = %v", port)
	}
	if got := svc.get("spec", "type").StringValue(); got != cfg.Network.ServiceType {
		t.Errorf("Service type = %q, want %q", got, cfg.Network.ServiceType)
	}
	// Readiness is the Deployment's to prove: a Service judged by its endpoints
	// reads unhealthy whenever a pod is starting, and refreshes report drift.
	if got := svc.get("metadata", "annotations", "pulumi.com/skipAwait").StringValue(); got != "true" {
		t.Errorf("Service annotation pulumi.com/skipAwait = %q, want \"true\"", got)
	}
}

func assertScaling(t *testing.T, e *engine, cfg stackconfig.Config) {
	t.Helper()
	d := e.one(t, typeDeployment)
	// The autoscaler owns the count in every stack, so that switching
	// autoscaling never leaves spec.replicas to fall back to 1.
	if replicas := d.get("spec", "replicas"); !replicas.IsNull() {
		t.Errorf("spec.replicas = %v: the Deployment must leave the count to the autoscaler", replicas)
	}
	s := cfg.Scaling
	min, max := s.MinReplicas, s.MaxReplicas
	if !s.Autoscaling {
		min, max = s.Replicas, s.Replicas
	}
	hpa := e.one(t, typeHPA)
	if hpa.get("spec", "minReplicas").NumberValue() != float64(min) || hpa.get("spec", "maxReplicas").NumberValue() != float64(max) {
		t.Errorf("HPA bounds = %v..%v, want %d..%d", hpa.get("spec", "minReplicas"), hpa.get("spec", "maxReplicas"), min, max)
	}
	if got := hpa.get("spec", "scaleTargetRef", "name"); !got.DeepEquals(d.get("metadata", "name")) {
		t.Errorf("HPA targets %v, want the Deployment %v", got, d.get("metadata", "name"))
	}
	if got := d.get("spec", "progressDeadlineSeconds").NumberValue(); got != float64(cfg.Lifecycle.RolloutTimeoutSeconds) {
		t.Errorf("progressDeadlineSeconds = %v, want the rollout timeout %d", got, cfg.Lifecycle.RolloutTimeoutSeconds)
	}
	spread := d.get("spec", "template", "spec", "topologySpreadConstraints")
	if multi := s.MinAvailableReplicas() > 1; multi == spread.IsNull() {
		t.Errorf("topology spread = %v with %d minimum replicas", spread, s.MinAvailableReplicas())
	}
}

// TestEnvironmentShapes pins what each environment promises.
func TestEnvironmentShapes(t *testing.T) {
	dev := loadConfig(t, "dev", loadStackFile(t, "dev"))
	if dev.Scaling.Autoscaling || dev.Scaling.Replicas != 1 || dev.Image.Repository != "localhost:5001/microstack" {
		t.Errorf("dev = %+v %+v, want 1 replica, no HPA, built into localhost:5001", dev.Scaling, dev.Image)
	}
	prod := loadConfig(t, "prod", loadStackFile(t, "prod"))
	if !prod.Scaling.Autoscaling || prod.Scaling.MinReplicas < 3 || prod.Scaling.MaxReplicas != 10 {
		t.Errorf("prod scaling = %+v, want an HPA from at least 3 to 10", prod.Scaling)
	}
}

func TestSecretsStaySecret(t *testing.T) {
	const token, password = "t0k3n-value", "registry-pa55"
	sc := loadStackFile(t, "dev").with(map[string]string{
		stackconfig.KeySecretEnv:        `{"API_TOKEN":"` + token + `"}`,
		stackconfig.KeyRegistryUsername: "ci",
		stackconfig.KeyRegistryPassword: password,
	}, stackconfig.KeySecretEnv, stackconfig.KeyRegistryPassword)
	e, err := run(t, "dev", sc)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	secret := ofSecretType(t, e, "Opaque")
	if v := secret.inputs["stringData"]; !v.ContainsSecrets() {
		t.Errorf("Secret stringData = %v, want a Pulumi secret", v)
	}
	if got := secret.get("stringData", "API_TOKEN").StringValue(); got != token {
		t.Errorf("Secret stringData.API_TOKEN = %q, want the configured value", got)
	}
	for _, img := range e.ofType(typeImage) {
		if v := img.get("registry", "password"); !v.ContainsSecrets() {
			t.Errorf("registry password of %s = %v, want a Pulumi secret", img.name, v)
		}
	}
	for _, cm := range e.ofType(typeConfigMap) {
		for k, v := range cm.get("data").ObjectValue() {
			if strings.Contains(v.String(), token) {
				t.Errorf("ConfigMap key %s holds the secret value", k)
			}
		}
	}
	c := e.one(t, typeDeployment).get("spec", "template", "spec", "containers", 0)
	if path(c, "envFrom", 1, "secretRef", "name").IsNull() {
		t.Errorf("container envFrom = %v, want the Secret referenced", path(c, "envFrom"))
	}
}

// ofSecretType returns the one Secret of Kubernetes type typ.
func ofSecretType(t *testing.T, e *engine, typ string) registered {
	t.Helper()
	var found []registered
	for _, s := range e.ofType(typeSecret) {
		if s.get("type").StringValue() == typ {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d Secrets of type %s, want 1", len(found), typ)
	}
	return found[0]
}

// TestPrivateRegistryPullSecret checks that the registry login reaches the
// pods as a dockerconfigjson Secret on their own ServiceAccount, kept secret.
func TestPrivateRegistryPullSecret(t *testing.T) {
	const password = "pull-pa55"
	sc := loadStackFile(t, "dev").with(map[string]string{
		stackconfig.KeyRegistryUsername: "puller",
		stackconfig.KeyRegistryPassword: password,
	}, stackconfig.KeyRegistryPassword)
	e, err := run(t, "dev", sc)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	pull := ofSecretType(t, e, "kubernetes.io/dockerconfigjson")
	doc := pull.get("stringData", ".dockerconfigjson")
	if !pull.inputs["stringData"].ContainsSecrets() {
		t.Errorf("pull secret = %v, want a Pulumi secret", pull.inputs["stringData"])
	}
	for _, want := range []string{`"localhost:5001"`, `"username":"puller"`, `"password":"` + password + `"`} {
		if !strings.Contains(doc.StringValue(), want) {
			t.Errorf(".dockerconfigjson = %s, want it to hold %s", doc.StringValue(), want)
		}
	}
	account := e.one(t, typeAccount)
	if got := account.get("imagePullSecrets", 0, "name"); got.IsNull() {
		t.Errorf("ServiceAccount imagePullSecrets = %v, want the pull secret", account.get("imagePullSecrets"))
	}
	if got := account.get("automountServiceAccountToken"); !got.DeepEquals(resource.NewBoolProperty(false)) {
		t.Errorf("ServiceAccount automountServiceAccountToken = %v, want false", got)
	}
	template := e.one(t, typeDeployment).get("spec", "template")
	if got := path(template, "spec", "serviceAccountName").StringValue(); got != account.get("metadata", "name").StringValue() {
		t.Errorf("pod serviceAccountName = %q, want the stack's ServiceAccount", got)
	}
	// A ServiceAccount's pull secrets reach only pods created after it: the
	// template names the secret, so new credentials roll the pods.
	if got := path(template, "metadata", "annotations", "microstack/pull-secret"); got.IsNull() || got.StringValue() == "" {
		t.Errorf("pod template annotations = %v, want the pull secret named", path(template, "metadata", "annotations"))
	}
}
