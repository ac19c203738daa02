// Command stacks measures what the infrastructure costs on the local
// cluster of hack/cluster.sh: how long `pulumi preview` and `pulumi up` take
// for a program declaring 1, 10 and 50 services, and how that grows with the
// number of services. (How a config change rolls out under load, with no
// failed request, is what the end-to-end suite asserts and reports.)
//
// It drives the real Pulumi CLI and the pulumi-kubernetes provider through
// the Automation API, with an inline program that calls the component of
// infra/service N times. The services of one size share one namespace,
// bench-stacks-N, as the services of one stack would: the figures then
// measure N components (a ConfigMap, a Deployment and a Service each) and
// not N namespaces, whose deletion is slow and unrelated to the component.
// Each service runs one pod with small requests (cpu 5m, memory 16Mi), so 50
// of them fit on a 2-core node beside other work.
//
// For each size, after one untimed preview that loads the plugins and warms
// the caches, it times:
//
//	preview               the preview of the creates
//	up                    `pulumi up --yes --skip-preview` of them, which
//	                      returns once every Deployment has rolled out, that is
//	                      once every pod is Ready (checked after it)
//	preview, no changes   a second preview, which must find nothing to do:
//	                      the steady-state cost of a preview without refresh
//	destroy               `pulumi destroy`, namespace deletion included
//
// then prints the seconds, the seconds per service, and the growth: the
// seconds each added service costs between consecutive sizes, and the slope
// and fixed cost of a least-squares line through all of them. Since up and
// destroy wait for each Deployment's pods, at most --parallel operations at
// a time, the parallelism bounds how fast they grow as much as the CPU does:
// the report prints it, and -parallel changes it.
//
// A time runs from the call to the moment the CLI prints its summary, so
// the reads the Automation API makes after an update (outputs, history) are
// not counted. The program is compiled into this command, so no figure
// includes the `go build` that the CLI does for the infra/ program (cached
// after the first one).
//
// Everything runs in the local Pulumi environment of hack/lib/pulumi-env.sh
// with its state in a temporary directory, so nothing is read from or
// written to the user's;
// every stack is destroyed at the end, even after a failure or an
// interrupt, and a namespace that outlives its stack is deleted.
//
// Usage, with the local cluster's environment (hack/bench.sh sets it up):
//
//	eval "$(hack/cluster.sh env)"
//	go run ./bench/stacks [flags]
//
// The flags:
//
//	-services 1,10,50   program sizes to time, in increasing order; empty for none
//	-image REF          image to deploy, pinned by digest; without it the image is
//	                    built and pushed with `hack/images.sh app bench`
//	-parallel 0         pulumi's --parallel; 0 leaves the CLI's default, 4 × GOMAXPROCS
//	-timeout 15m        bound on each size, cleanup aside
//	-v                  copy the CLI's output to stderr
//
// It needs pulumi on PATH (hack/tools.sh builds it), KUBECONFIG naming a
// cluster that answers, hack/tools.sh's pulumi-resource-kubernetes, and,
// without -image, the local Docker engine and registry. It creates only
// namespaces whose names start with "bench-". A full run takes a few
// minutes; the figures are only worth comparing when the load average,
// printed before and after, is well below the number of CPUs.
package main
