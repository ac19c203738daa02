package stackconfig

// Namespace is the Pulumi config namespace of every key below: the project name.
const Namespace = "microstack"

// Config keys, as written in Pulumi.<stack>.yaml without the "microstack:" prefix.
const (
	KeyKubeContext = "kubeContext"
	KeyKubeconfig  = "kubeconfig"
	KeyProtect     = "protect"

	KeyName            = "name"
	KeyNamespace       = "namespace"
	KeyCreateNamespace = "createNamespace"
	KeyMessage         = "message"
	KeyLogLevel        = "logLevel"

	KeyImage            = "image"
	KeyImageRepository  = "imageRepository"
	KeyImageTag         = "imageTag"
	KeyBuilderImage     = "builderImage"
	KeyRuntimeImage     = "runtimeImage"
	KeyImageVersion     = "imageVersion"
	KeyImageCommit      = "imageCommit"
	KeyRegistryServer   = "registryServer"
	KeyRegistryUsername = "registryUsername"
	KeyRegistryPassword = "registryPassword"

	KeyReplicas          = "replicas"
	KeyAutoscaling       = "autoscaling"
	KeyMinReplicas       = "minReplicas"
	KeyMaxReplicas       = "maxReplicas"
	KeyCPUUtilization    = "cpuUtilization"
	KeyMemoryUtilization = "memoryUtilization"

	KeyCPURequest    = "cpuRequest"
	KeyCPULimit      = "cpuLimit"
	KeyMemoryRequest = "memoryRequest"
	KeyMemoryLimit   = "memoryLimit"

	KeyContainerPort = "containerPort"
	KeyServiceType   = "serviceType"
	KeyServicePort   = "servicePort"

	KeyPreStopSeconds         = "preStopSeconds"
	KeyDrainSeconds           = "drainSeconds"
	KeyShutdownTimeoutSeconds = "shutdownTimeoutSeconds"
	KeyRolloutTimeoutSeconds  = "rolloutTimeoutSeconds"

	KeySecretEnv = "secretEnv"

	KeyIngressHost          = "ingressHost"
	KeyIngressClassName     = "ingressClassName"
	KeyIngressPath          = "ingressPath"
	KeyIngressTLSSecret     = "ingressTLSSecret"
	KeyIngressClusterIssuer = "ingressClusterIssuer"

	KeyIngressControllerNamespace = "ingressControllerNamespace"
	KeyMonitoringNamespace        = "monitoringNamespace"
	KeyAllowFromNamespaces        = "allowFromNamespaces"
	KeyAllowEgressTo              = "allowEgressTo"

	KeyServiceMonitor      = "serviceMonitor"
	KeyPrometheusRule      = "prometheusRule"
	KeyMonitoringLabels    = "monitoringLabels"
	KeyAlertErrorRatio     = "alertErrorRatio"
	KeyAlertLatencySeconds = "alertLatencySeconds"
	KeyAlertWindow         = "alertWindow"
	KeyAlertFor            = "alertFor"
)

// ProviderNamespace is the config namespace of the default Kubernetes
// provider. The program declares its own provider from the keys above, so a
// key in this namespace would change nothing: it is reported, not ignored.
const ProviderNamespace = "kubernetes"
