package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// phase is one timed step of a size's stack.
type phase int

const (
	phasePreview phase = iota // preview of the creates
	phaseUp                   // up, until every pod is Ready
	phaseSteady               // preview that finds nothing to do
	phaseDestroy              // destroy, namespace included
	numPhases
)

func (p phase) String() string {
	switch p {
	case phasePreview:
		return "preview"
	case phaseUp:
		return "up"
	case phaseSteady:
		return "preview, no changes"
	case phaseDestroy:
		return "destroy"
	}
	return fmt.Sprintf("phase %d", int(p))
}

// sizeFigures are the times of one program size.
type sizeFigures struct {
	services  int
	resources int // what the preview planned to create, the stack included
	took      [numPhases]time.Duration
}

// step is what each service added between two sizes cost, in seconds.
type step struct {
	from, to   int
	perService [numPhases]float64
}

// steps are the growth between consecutive sizes.
func steps(sizes []sizeFigures) []step {
	var out []step
	for i := 1; i < len(sizes); i++ {
		a, b := sizes[i-1], sizes[i]
		s := step{from: a.services, to: b.services}
		for p := range numPhases {
			s.perService[p] = (b.took[p] - a.took[p]).Seconds() / float64(b.services-a.services)
		}
		out = append(out, s)
	}
	return out
}

// line is the least-squares line through every size, per phase:
// seconds = fixed + slope × services.
type line struct {
	slope, fixed [numPhases]float64
}

// fit returns the line through sizes, or false when fewer than two
// different sizes leave it undetermined.
func fit(sizes []sizeFigures) (line, bool) {
	var l line
	if len(sizes) < 2 {
		return l, false
	}
	var meanX float64
	for _, s := range sizes {
		meanX += float64(s.services)
	}
	meanX /= float64(len(sizes))
	var sxx float64
	for _, s := range sizes {
		dx := float64(s.services) - meanX
		sxx += dx * dx
	}
	if sxx == 0 {
		return l, false
	}
	for p := range numPhases {
		var meanY, sxy float64
		for _, s := range sizes {
			meanY += s.took[p].Seconds()
		}
		meanY /= float64(len(sizes))
		for _, s := range sizes {
			sxy += (float64(s.services) - meanX) * (s.took[p].Seconds() - meanY)
		}
		l.slope[p] = sxy / sxx
		l.fixed[p] = meanY - l.slope[p]*meanX
	}
	return l, true
}

// report is every figure of a run.
type report struct {
	pulumi, plugin, cluster, image string
	parallel                       string // how many operations pulumi runs at once, and why
	loadBefore, loadAfter          string
	took                           time.Duration
	sizes                          []sizeFigures
}

// write prints the report.
func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "microstack stacks bench: pulumi %s, pulumi-kubernetes %s, cluster %s; %d CPUs, %s\n",
		r.pulumi, r.plugin, r.cluster, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(w, "image %s\n", r.image)
	fmt.Fprintf(w, "pulumi parallelism: %s\n", r.parallel)
	fmt.Fprintf(w, "load average: %s before, %s after; the run took %s\n", r.loadBefore, r.loadAfter, r.took.Round(time.Second))
	r.writeSizes(w)
	r.writeGrowth(w)
}

func (r report) writeSizes(w io.Writer) {
	if len(r.sizes) == 0 {
		return
	}
	fmt.Fprintf(w, "\npulumi wall time in seconds, warm (after an untimed preview); the services of a size share one namespace, one pod each\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "services\tresources\t%s\tup per service\t\n", phaseHeader())
	for _, s := range r.sizes {
		fmt.Fprintf(tw, "%d\t%d\t", s.services, s.resources)
		for p := range numPhases {
			fmt.Fprintf(tw, "%.1f\t", s.took[p].Seconds())
		}
		fmt.Fprintf(tw, "%.2f\t\n", s.took[phaseUp].Seconds()/float64(s.services))
	}
	tw.Flush()
}

func (r report) writeGrowth(w io.Writer) {
	l, ok := fit(r.sizes)
	if !ok {
		return
	}
	fmt.Fprintf(w, "\ngrowth: seconds per added service, between consecutive sizes and along the least-squares line through all\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\t%s\t\n", phaseHeader())
	for _, s := range steps(r.sizes) {
		fmt.Fprintf(tw, "%d → %d\t%s\n", s.from, s.to, row(s.perService, "%.3f"))
	}
	fmt.Fprintf(tw, "slope\t%s\n", row(l.slope, "%.3f"))
	fmt.Fprintf(tw, "fixed cost (s)\t%s\n", row(l.fixed, "%.1f"))
	tw.Flush()
}

// parallelism says how many resource operations pulumi runs at once: the
// -parallel flag, else PULUMI_PARALLEL, else the CLI's default.
func parallelism(flag int, env string) string {
	switch {
	case flag > 0:
		return fmt.Sprintf("%d (-parallel)", flag)
	case env != "":
		return env + " (PULUMI_PARALLEL)"
	}
	return fmt.Sprintf("%d (the CLI's default, 4 × GOMAXPROCS)", 4*runtime.GOMAXPROCS(0))
}

// phaseHeader is the phases as tab-separated column headers.
func phaseHeader() string {
	names := make([]string, numPhases)
	for p := range numPhases {
		names[p] = p.String()
	}
	return strings.Join(names, "\t")
}

// row formats one value per phase as tab-terminated cells.
func row(v [numPhases]float64, format string) string {
	var b strings.Builder
	for _, x := range v {
		fmt.Fprintf(&b, format+"\t", x)
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
