package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/microstack/microstack/bench/internal/loadavg"
)

// measure takes every measurement the options ask for. The report holds
// whatever was measured before an error.
func (b *bench) measure(ctx context.Context) (report, error) {
	rep := report{
		pulumi: b.pulumi, plugin: sdkVersion(kubernetesSDK), cluster: b.cluster, image: b.image,
		parallel:   parallelism(b.opts.parallel, os.Getenv("PULUMI_PARALLEL")),
		loadBefore: loadavg.Read(),
	}
	err := b.measureInto(ctx, &rep)
	rep.loadAfter = loadavg.Read()
	return rep, err
}

func (b *bench) measureInto(ctx context.Context, rep *report) error {
	for _, n := range b.opts.services {
		fig, err := b.measureSize(ctx, n)
		if err != nil {
			return err
		}
		rep.sizes = append(rep.sizes, fig)
	}
	return nil
}

// measureSize times the life of a stack declaring n services: a warm-up
// preview, then the timed preview, up, preview without changes and
// destroy.
func (b *bench) measureSize(ctx context.Context, n int) (fig sizeFigures, err error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.timeout)
	defer cancel()
	fig.services = n
	label := plural(n, "service")
	st, err := b.newStack(ctx, "stacks-"+strconv.Itoa(n), n, sizeSettings(n, b.image))
	if err != nil {
		return fig, err
	}
	defer func() { err = errors.Join(err, st.cleanup(ctx)) }()

	b.logf("%s: warm-up preview", label)
	if _, _, err := st.preview(ctx); err != nil {
		return fig, err
	}
	took, plan, err := st.preview(ctx)
	if err != nil {
		return fig, err
	}
	fig.took[phasePreview] = took
	fig.resources = plan[apitype.OpCreate]
	if want := expectedResources(n); fig.resources != want || len(plan) != 1 {
		return fig, fmt.Errorf("%s: preview plans %v, want %d creates", label, plan, want)
	}
	b.logf("%s: preview %s; up", label, seconds(took))

	if fig.took[phaseUp], _, err = st.up(ctx); err != nil {
		return fig, err
	}
	ready, err := b.readyPods(ctx, st.namespace)
	if err != nil {
		return fig, err
	}
	if ready != n {
		return fig, fmt.Errorf("%s: %d Ready pods after up, want %d", label, ready, n)
	}
	b.logf("%s: up %s, %d pods Ready; preview without changes", label, seconds(fig.took[phaseUp]), ready)

	if fig.took[phaseSteady], _, err = st.preview(ctx, optpreview.ExpectNoChanges()); err != nil {
		return fig, fmt.Errorf("%s: preview without changes: %w", label, err)
	}
	b.logf("%s: preview without changes %s; destroy", label, seconds(fig.took[phaseSteady]))

	if fig.took[phaseDestroy], err = st.destroy(ctx); err != nil {
		return fig, err
	}
	b.logf("%s: destroy %s", label, seconds(fig.took[phaseDestroy]))
	return fig, nil
}
