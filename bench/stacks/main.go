package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/microstack/microstack/bench/internal/countlist"
)

// maxServices bounds a size: the node runs at most 110 pods, and other
// tests share it.
const maxServices = 100

// options are the command-line settings.
type options struct {
	services sizeList
	image    string
	parallel int
	timeout  time.Duration
	verbose  bool
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "stacks: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "stacks: %v\n", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into options and checks them.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{services: sizeList{1, 10, 50}}
	fs := flag.NewFlagSet("stacks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&o.services, "services", "comma-separated program `sizes` (services declared), increasing; empty for none")
	fs.StringVar(&o.image, "image", "", "image `reference` to deploy, pinned by digest (default: build one with hack/images.sh app)")
	fs.IntVar(&o.parallel, "parallel", 0, "pulumi's --parallel `number`; 0 leaves the CLI's default")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on each size, cleanup aside")
	fs.BoolVar(&o.verbose, "v", false, "copy the pulumi CLI's output to stderr")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, o.check()
}

// check rejects settings that cannot make a run.
func (o options) check() error {
	switch {
	case len(o.services) == 0:
		return errors.New("nothing to measure: give -services")
	case o.parallel < 0:
		return fmt.Errorf("-parallel %d: want 0 or more", o.parallel)
	case o.timeout <= 0:
		return fmt.Errorf("-timeout %v: want more than 0", o.timeout)
	}
	return nil
}

// run takes every measurement, writes the report to stdout and progress to
// stderr.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	start := time.Now()
	b, err := newBench(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer b.close()

	rep, err := b.measure(ctx)
	rep.took = time.Since(start)
	rep.write(stdout)
	return err
}

// sizeList is the -services flag: strictly increasing service counts.
type sizeList []int

func (s *sizeList) String() string { return countlist.Format(*s) }

func (s *sizeList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		*s = nil
		return nil
	}
	n, err := countlist.Parse(v, "service count")
	if err != nil {
		return err
	}
	if err := checkSizes(n); err != nil {
		return err
	}
	*s = n
	return nil
}

// checkSizes holds the sizes to what one run can measure: the growth
// between consecutive sizes needs them increasing, and the node bounds the
// largest.
func checkSizes(sizes []int) error {
	for i, n := range sizes {
		switch {
		case n > maxServices:
			return fmt.Errorf("%d services: at most %d fit beside other work on one node", n, maxServices)
		case i > 0 && n <= sizes[i-1]:
			return fmt.Errorf("%d after %d: give the sizes in increasing order", n, sizes[i-1])
		}
	}
	return nil
}
