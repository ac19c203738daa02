package stackconfig

// Namespace is the Pulumi config namespace of every key below: the project name.
const Namespace = "microstack"

// Config keys, as written in Pulumi.<stack>.yaml without the "microstack:" prefix.
const (
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

	KeySecretEnv = "secretEnv"
)
