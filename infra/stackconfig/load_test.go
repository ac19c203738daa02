package stackconfig

import (
	"reflect"
	"strings"
	"testing"
)

// valid is the smallest configuration that passes: a stack that builds its image.
func valid() map[string]string {
	return map[string]string{KeyImageRepository: "localhost:5001/microstack", KeyKubeContext: "microstack-local"}
}

func load(t *testing.T, values map[string]string, secrets ...string) (Config, error) {
	t.Helper()
	src := MapSource{Values: values, Secrets: map[string]bool{}}
	for _, k := range secrets {
		src.Secrets[k] = true
	}
	return Load("dev", src)
}

func TestLoadDefaults(t *testing.T) {
	c, err := load(t, valid())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Defaults()
	want.Stack = "dev"
	want.Namespace = "microstack-dev"
	want.Cluster = Cluster{Context: "microstack-local"}
	want.Image = Image{Repository: "localhost:5001/microstack", Tag: "dev", Registry: Registry{Server: "localhost:5001"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load() =\n%+v\nwant\n%+v", c, want)
	}
}

func TestLoadEveryKey(t *testing.T) {
	values := map[string]string{
		KeyKubeContext: "prod-eu", KeyKubeconfig: "apiVersion: v1", KeyProtect: "true",
		KeyName: "shop", KeyNamespace: "web", KeyCreateNamespace: "false",
		KeyMessage: "hi", KeyLogLevel: "debug",
		KeyImageRepository: "registry.example.com/team/shop", KeyImageTag: "v2",
		KeyBuilderImage: "mirror.example.com/golang:1.26", KeyRuntimeImage: "mirror.example.com/static:nonroot",
		KeyRegistryServer: "registry.example.com", KeyRegistryUsername: "ci", KeyRegistryPassword: "s3cret",
		KeyAutoscaling: "true", KeyMinReplicas: "3", KeyMaxReplicas: "10",
		KeyCPUUtilization: "60", KeyMemoryUtilization: "80",
		KeyCPURequest: "100m", KeyCPULimit: "1", KeyMemoryRequest: "64Mi", KeyMemoryLimit: "128Mi",
		KeyContainerPort: "9090", KeyServiceType: "NodePort", KeyServicePort: "8080",
		KeyPreStopSeconds: "10", KeyDrainSeconds: "4", KeyShutdownTimeoutSeconds: "20", KeyRolloutTimeoutSeconds: "600",
		KeySecretEnv:   `{"API_TOKEN":"t0k3n"}`,
		KeyIngressHost: "shop.example.com", KeyIngressClassName: "nginx", KeyIngressPath: "/shop",
		KeyIngressTLSSecret: "shop-tls", KeyIngressClusterIssuer: "letsencrypt",
		KeyIngressControllerNamespace: "ingress-nginx", KeyMonitoringNamespace: "observability",
		KeyAllowFromNamespaces: `["checkout"]`, KeyAllowEgressTo: `["10.0.0.0/8"]`,
		KeyServiceMonitor: "true", KeyPrometheusRule: "true", KeyMonitoringLabels: `{"release":"prom"}`,
		KeyAlertErrorRatio: "0.01", KeyAlertLatencySeconds: "0.25", KeyAlertWindow: "10m", KeyAlertFor: "2m",
	}
	c, err := load(t, values, KeyRegistryPassword, KeySecretEnv, KeyKubeconfig)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Stack: "dev", Cluster: Cluster{Context: "prod-eu", Kubeconfig: "apiVersion: v1"}, Protect: true,
		Name: "shop", Namespace: "web", CreateNamespace: false,
		App: App{Message: "hi", LogLevel: "debug"},
		Image: Image{
			Repository: "registry.example.com/team/shop", Tag: "v2",
			BuilderImage: "mirror.example.com/golang:1.26", RuntimeImage: "mirror.example.com/static:nonroot",
			Registry: Registry{Server: "registry.example.com", Username: "ci", Password: "s3cret"},
		},
		Scaling:   Scaling{Replicas: 1, Autoscaling: true, MinReplicas: 3, MaxReplicas: 10, CPUUtilization: 60, MemoryUtilization: 80},
		Resources: Resources{CPURequest: "100m", CPULimit: "1", MemoryRequest: "64Mi", MemoryLimit: "128Mi"},
		Network:   Network{ContainerPort: 9090, ServiceType: ServiceTypeNodePort, ServicePort: 8080},
		Lifecycle: Lifecycle{PreStopSeconds: 10, DrainSeconds: 4, ShutdownTimeoutSeconds: 20, RolloutTimeoutSeconds: 600},
		SecretEnv: map[string]string{"API_TOKEN": "t0k3n"},
		Ingress:   Ingress{Host: "shop.example.com", ClassName: "nginx", Path: "/shop", TLSSecret: "shop-tls", ClusterIssuer: "letsencrypt"},
		NetworkPolicy: NetworkPolicy{
			IngressControllerNamespace: "ingress-nginx", MonitoringNamespace: "observability",
			AllowFromNamespaces: []string{"checkout"}, AllowEgressTo: []string{"10.0.0.0/8"},
		},
		Monitoring: Monitoring{ServiceMonitor: true, PrometheusRule: true, Labels: map[string]string{"release": "prom"},
			Alerts: Alerts{ErrorRatio: 0.01, LatencySeconds: 0.25, Window: "10m", For: "2m"}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load() =\n%+v\nwant\n%+v", c, want)
	}
	if got := c.Lifecycle.TerminationGracePeriodSeconds(); got != 10+4+20+terminationSlackSeconds {
		t.Errorf("TerminationGracePeriodSeconds() = %d", got)
	}
	if got := c.Scaling.MinAvailableReplicas(); got != 3 {
		t.Errorf("MinAvailableReplicas() = %d, want the HPA minimum 3", got)
	}
}

func TestLoadExistingImageSkipsBuild(t *testing.T) {
	ref := "localhost:5001/microstack@sha256:" + strings.Repeat("a", 64)
	c, err := load(t, map[string]string{KeyImage: ref, KeyKubeContext: "microstack-local"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Image.Build() || c.Image.Existing != ref {
		t.Errorf("Image = %+v, want the existing reference and no build", c.Image)
	}
}

// TestLongestTagLeavesRoomForTheCache: the longest tag accepted still
// names a layer cache within the registries' 128 characters.
func TestLongestTagLeavesRoomForTheCache(t *testing.T) {
	values := valid()
	values[KeyImageTag] = strings.Repeat("t", maxTagLength-len(CacheTagSuffix))
	c, err := load(t, values)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	cacheTag := strings.TrimPrefix(c.Image.CacheName(), c.Image.Repository+":")
	if !tagPattern.MatchString(cacheTag) || cacheTag != c.Image.Tag+CacheTagSuffix {
		t.Errorf("cache tag %q (%d characters) is not a valid tag", cacheTag, len(cacheTag))
	}
}

func TestLoadInvalid(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("b", 64)
	tests := []struct {
		name     string
		set      map[string]string
		secrets  []string
		wantKeys []string
	}{
		{"name with capitals", map[string]string{KeyName: "MicroStack"}, nil, []string{KeyName, KeyNamespace}},
		{"name too long", map[string]string{KeyName: strings.Repeat("a", 64), KeyNamespace: "ok"}, nil, []string{KeyName}},
		{"namespace with dot", map[string]string{KeyNamespace: "team.web"}, nil, []string{KeyNamespace}},
		{"createNamespace not a bool", map[string]string{KeyCreateNamespace: "yes please"}, nil, []string{KeyCreateNamespace}},
		{"empty message", map[string]string{KeyMessage: ""}, nil, []string{KeyMessage}},
		{"message too long", map[string]string{KeyMessage: strings.Repeat("x", 257)}, nil, []string{KeyMessage}},
		{"unknown log level", map[string]string{KeyLogLevel: "verbose"}, nil, []string{KeyLogLevel}},
		{"existing image not pinned", map[string]string{KeyImage: "nginx:1.27"}, nil, []string{KeyImage}},
		{"existing image bad digest", map[string]string{KeyImage: "nginx@sha256:1234"}, nil, []string{KeyImage}},
		{"no repository to build into", map[string]string{KeyImageRepository: ""}, nil, []string{KeyImageRepository}},
		{"repository with tag", map[string]string{KeyImageRepository: "localhost:5001/app:v1"}, nil, []string{KeyImageRepository}},
		{"repository upper case", map[string]string{KeyImageRepository: "localhost:5001/App"}, nil, []string{KeyImageRepository}},
		{"tag with slash", map[string]string{KeyImageTag: "feature/x"}, nil, []string{KeyImageTag}},
		{"tag leaving no room for the cache's", map[string]string{KeyImageTag: strings.Repeat("t", 118)}, nil, []string{KeyImageTag}},
		{"tag of a layer cache", map[string]string{KeyImageTag: "v1" + CacheTagSuffix}, nil, []string{KeyImageTag}},
		{"bad builder image", map[string]string{KeyBuilderImage: "Not An Image"}, nil, []string{KeyBuilderImage}},
		{"bad runtime image", map[string]string{KeyRuntimeImage: "mirror.example.com/Upper" + digest}, nil, []string{KeyRuntimeImage}},
		{"password in plain text", map[string]string{KeyRegistryUsername: "ci", KeyRegistryPassword: "hunter2"}, nil, []string{KeyRegistryPassword}},
		{"username without password", map[string]string{KeyRegistryUsername: "ci"}, nil, []string{KeyRegistryPassword}},
		{"replicas zero", map[string]string{KeyReplicas: "0"}, nil, []string{KeyReplicas}},
		{"replicas not a number", map[string]string{KeyReplicas: "three"}, nil, []string{KeyReplicas}},
		{"replicas too many", map[string]string{KeyReplicas: "1000"}, nil, []string{KeyReplicas}},
		{"autoscaling not a bool", map[string]string{KeyAutoscaling: "on"}, nil, []string{KeyAutoscaling}},
		{"hpa min above max", map[string]string{KeyAutoscaling: "true", KeyMinReplicas: "5", KeyMaxReplicas: "3"}, nil, []string{KeyMaxReplicas}},
		{"hpa min zero", map[string]string{KeyAutoscaling: "true", KeyMinReplicas: "0"}, nil, []string{KeyMinReplicas}},
		{"cpu target zero", map[string]string{KeyAutoscaling: "true", KeyCPUUtilization: "0"}, nil, []string{KeyCPUUtilization}},
		{"cpu target above 100", map[string]string{KeyAutoscaling: "true", KeyCPUUtilization: "150"}, nil, []string{KeyCPUUtilization}},
		{"memory target negative", map[string]string{KeyAutoscaling: "true", KeyMemoryUtilization: "-1"}, nil, []string{KeyMemoryUtilization}},
		{"cpu request not a quantity", map[string]string{KeyCPURequest: "fast"}, nil, []string{KeyCPURequest}},
		{"cpu request above limit", map[string]string{KeyCPURequest: "2", KeyCPULimit: "500m"}, nil, []string{KeyCPURequest}},
		{"memory limit not a quantity", map[string]string{KeyMemoryLimit: "64 MB"}, nil, []string{KeyMemoryLimit}},
		{"memory request above limit", map[string]string{KeyMemoryRequest: "1Gi", KeyMemoryLimit: "64Mi"}, nil, []string{KeyMemoryRequest}},
		{"memory request zero", map[string]string{KeyMemoryRequest: "0"}, nil, []string{KeyMemoryRequest}},
		{"privileged container port", map[string]string{KeyContainerPort: "80"}, nil, []string{KeyContainerPort}},
		{"container port too high", map[string]string{KeyContainerPort: "70000"}, nil, []string{KeyContainerPort}},
		{"unknown service type", map[string]string{KeyServiceType: "ExternalName"}, nil, []string{KeyServiceType}},
		{"service port zero", map[string]string{KeyServicePort: "0"}, nil, []string{KeyServicePort}},
		{"negative preStop", map[string]string{KeyPreStopSeconds: "-5"}, nil, []string{KeyPreStopSeconds}},
		{"drain too long", map[string]string{KeyDrainSeconds: "3600"}, nil, []string{KeyDrainSeconds}},
		{"shutdown timeout zero", map[string]string{KeyShutdownTimeoutSeconds: "0"}, nil, []string{KeyShutdownTimeoutSeconds}},
		{"secretEnv in plain text", map[string]string{KeySecretEnv: `{"TOKEN":"x"}`}, nil, []string{KeySecretEnv}},
		{"secretEnv not an object", map[string]string{KeySecretEnv: `["x"]`}, []string{KeySecretEnv}, []string{KeySecretEnv}},
		{"secretEnv bad name", map[string]string{KeySecretEnv: `{"MY-TOKEN":"x"}`}, []string{KeySecretEnv}, []string{KeySecretEnv}},
		{"secretEnv shadows app setting", map[string]string{KeySecretEnv: `{"APP_MESSAGE":"x"}`}, []string{KeySecretEnv}, []string{KeySecretEnv}},
		{"no cluster named", map[string]string{KeyKubeContext: ""}, nil, []string{KeyKubeContext}},
		{"kubeconfig in plain text", map[string]string{KeyKubeconfig: "apiVersion: v1"}, nil, []string{KeyKubeconfig}},
		{"protect not a bool", map[string]string{KeyProtect: "always"}, nil, []string{KeyProtect}},
		{"typo'd key", map[string]string{"replica": "3"}, nil, []string{"replica"}},
		{"wrongly cased key", map[string]string{"Replicas": "3"}, nil, []string{"Replicas"}},
		{"default provider's key", map[string]string{"kubernetes:context": "prod"}, nil, []string{"kubernetes:context"}},
		{"name starting with a digit", map[string]string{KeyName: "1shop", KeyNamespace: "shop"}, nil, []string{KeyName}},
		{"instance label too long", map[string]string{KeyName: strings.Repeat("a", 61), KeyNamespace: "shop"}, nil, []string{KeyName}},
		{"system namespace", map[string]string{KeyNamespace: "kube-system", KeyCreateNamespace: "false"}, nil, []string{KeyNamespace}},
		{"reserved namespace prefix", map[string]string{KeyNamespace: "kube-team"}, nil, []string{KeyNamespace}},
		{"owning default", map[string]string{KeyNamespace: "default"}, nil, []string{KeyCreateNamespace}},
		{"message with NUL", map[string]string{KeyMessage: "a\x00b"}, nil, []string{KeyMessage}},
		{"secretEnv with NUL", map[string]string{KeySecretEnv: `{"TOKEN":"a\u0000b"}`}, []string{KeySecretEnv}, []string{KeySecretEnv}},
		{"secretEnv too long", map[string]string{KeySecretEnv: `{"TOKEN":"` + strings.Repeat("x", maxEnvValueBytes+1) + `"}`}, []string{KeySecretEnv}, []string{KeySecretEnv}},
		{"memory limit below floor", map[string]string{KeyMemoryRequest: "4Mi", KeyMemoryLimit: "8Mi"}, nil, []string{KeyMemoryLimit}},
		{"cpu limit below floor", map[string]string{KeyCPURequest: "1m", KeyCPULimit: "5m"}, nil, []string{KeyCPULimit}},
		{"replicas ignored by autoscaling", map[string]string{KeyAutoscaling: "true", KeyReplicas: "3"}, nil, []string{KeyReplicas}},
		{"bounds ignored without autoscaling", map[string]string{KeyMinReplicas: "2", KeyMaxReplicas: "6"}, nil, []string{KeyMinReplicas, KeyMaxReplicas}},
		{"cpu target ignored without autoscaling", map[string]string{KeyCPUUtilization: "50"}, nil, []string{KeyCPUUtilization}},
		{"password without user", map[string]string{KeyRegistryPassword: "x"}, []string{KeyRegistryPassword}, []string{KeyRegistryUsername}},
		{"registry server of another registry", map[string]string{KeyRegistryServer: "ghcr.io", KeyRegistryUsername: "ci", KeyRegistryPassword: "x"},
			[]string{KeyRegistryPassword}, []string{KeyRegistryServer}},
		{"registry server without user", map[string]string{KeyRegistryServer: "ghcr.io"}, nil, []string{KeyRegistryServer}},
		{"rollout timeout too short", map[string]string{KeyRolloutTimeoutSeconds: "5"}, nil, []string{KeyRolloutTimeoutSeconds}},
		{"rollout timeout too long", map[string]string{KeyRolloutTimeoutSeconds: "86400"}, nil, []string{KeyRolloutTimeoutSeconds}},
		{"several at once", map[string]string{KeyReplicas: "0", KeyLogLevel: "loud", KeyServicePort: "99999"}, nil,
			[]string{KeyLogLevel, KeyReplicas, KeyServicePort}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := valid()
			for k, v := range tt.set {
				values[k] = v
			}
			_, err := load(t, values, tt.secrets...)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if got := InvalidKeys(err); !reflect.DeepEqual(got, tt.wantKeys) {
				t.Errorf("invalid keys = %q, want %q\nerror: %v", got, tt.wantKeys, err)
			}
			for _, key := range tt.wantKeys {
				if !strings.Contains(err.Error(), FullKey(key)+":") {
					t.Errorf("error does not name %s:%s: %v", Namespace, key, err)
				}
			}
			if !strings.Contains(err.Error(), "fix: ") {
				t.Errorf("error gives no fix: %v", err)
			}
		})
	}
}

func TestAppEnv(t *testing.T) {
	c, err := load(t, map[string]string{KeyImageRepository: "r.example.com/a", KeyMessage: "hey", KeyContainerPort: "9000", KeyKubeContext: "c"})
	if err != nil {
		t.Fatal(err)
	}
	env := c.AppEnv()
	want := map[string]string{
		"APP_PORT": "9000", "APP_MESSAGE": "hey", "APP_LOG_LEVEL": "info",
		"APP_DRAIN_DELAY": "3s", "APP_SHUTDOWN_TIMEOUT": "10s",
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("AppEnv() = %v, want %v", env, want)
	}
}

func TestRegistryHost(t *testing.T) {
	tests := map[string]string{
		"localhost:5001/microstack":   "localhost:5001",
		"localhost/microstack":        "localhost",
		"ghcr.io/team/app":            "ghcr.io",
		"team/app":                    "",
		"app":                         "",
		"registry.example.com:443/ab": "registry.example.com:443",
	}
	for repo, want := range tests {
		if got := registryHost(repo); got != want {
			t.Errorf("registryHost(%q) = %q, want %q", repo, got, want)
		}
	}
}

func TestUnknownKeyNamesTheNearestKnownOne(t *testing.T) {
	tests := map[string]string{"replica": "replicas", "MemoryLimit": "memoryLimit", "autoscale": "autoscaling", "kubecontext": "kubeContext"}
	for typo, want := range tests {
		values := valid()
		values[typo] = "1"
		_, err := load(t, values)
		if err == nil || !strings.Contains(err.Error(), "did you mean "+want+"?") {
			t.Errorf("%s: error %v, want it to suggest %s", typo, err, want)
		}
	}
}

func TestIgnoredBuildSettingsAreNamed(t *testing.T) {
	values := valid()
	values[KeyImage] = "localhost:5001/microstack@sha256:" + strings.Repeat("c", 64)
	values[KeyBuilderImage] = "localhost:5001/go:1"
	c, err := load(t, values)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Ignored(), "\n")
	for _, key := range []string{KeyImageRepository, KeyBuilderImage} {
		if !strings.Contains(got, FullKey(key)+" has no effect") {
			t.Errorf("Ignored() = %q, want it to name %s", got, key)
		}
	}
	delete(values, KeyImage)
	if c, _ := load(t, values); len(c.Ignored()) != 0 {
		t.Errorf("Ignored() = %q for a stack that builds, want nothing", c.Ignored())
	}
}
