// Package service declares one microservice on Kubernetes as a single
// Pulumi component (microstack:index:Service): its ConfigMap and Secret,
// Deployment, Service, and, when the workload scales, a
// HorizontalPodAutoscaler, PodDisruptionBudget and topology spread.
//
// The component knows nothing of stack files: New takes typed Args, so a
// second microservice is one more call from the program.
package service
