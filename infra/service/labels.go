package service

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Recommended labels (app.kubernetes.io/*).
const (
	labelName      = "app.kubernetes.io/name"
	labelInstance  = "app.kubernetes.io/instance"
	labelComponent = "app.kubernetes.io/component"
	labelPartOf    = "app.kubernetes.io/part-of"
	labelManagedBy = "app.kubernetes.io/managed-by"
)

const (
	partOf    = "microstack"
	managedBy = "pulumi"
	component = "server"
)

// labels are the Kubernetes labels of one microservice in one stack.
type labels struct {
	name, instance string
}

// selector is the Deployment's and Service's selector. It holds only what
// never changes across updates: a Deployment's selector is immutable.
func (l labels) selector() pulumi.StringMap { return pulumi.ToStringMap(l.selectorValues()) }

// selectorValues is the selector as plain values, for untyped objects.
func (l labels) selectorValues() map[string]string {
	return map[string]string{labelName: l.name, labelInstance: l.instance}
}

// all is the selector plus the descriptive labels every object carries.
func (l labels) all() pulumi.StringMap {
	m := l.selector()
	m[labelComponent] = pulumi.String(component)
	m[labelPartOf] = pulumi.String(partOf)
	m[labelManagedBy] = pulumi.String(managedBy)
	return m
}
