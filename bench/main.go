package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/microstack/microstack/bench/internal/countlist"
)

// errMissed is returned in strict mode when a target is missed.
var errMissed = errors.New("targets missed")

// options are the command-line settings.
type options struct {
	conns    connList
	duration time.Duration
	rounds   int
	warmup   time.Duration
	starts   int
	profile  bool
	wrk      bool
	nolog    bool
	image    string
	out      string
	strict   bool
	message  string
}

func main() {
	o := options{conns: connList{1, 16, 64}}
	flag.Var(&o.conns, "conns", "comma-separated connection `counts` to measure")
	// Rounds of 4 s: on 2 vCPUs, wrk's rounds of 1 s measured the service
	// a few points lower against the ceiling than rounds of 4 s did.
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured `time` per point")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured `time` before each point")
	flag.IntVar(&o.rounds, "rounds", 5, "`number` of slices each point's time is cut into, the servers taking turns")
	flag.IntVar(&o.starts, "starts", 10, "`number` of process starts timed for the ready figure")
	flag.BoolVar(&o.profile, "profile", true, "take a CPU profile of the service under load")
	flag.BoolVar(&o.wrk, "wrk", true, "repeat the largest point with wrk, if it is installed, in the same rounds")
	flag.BoolVar(&o.nolog, "nolog", true, "also load the service with its request logs off, to show what they cost")
	flag.StringVar(&o.image, "image", "", "image `reference` whose size to report (needs DOCKER_HOST)")
	flag.StringVar(&o.out, "out", "", "`directory` to keep the binaries and the profile in")
	flag.BoolVar(&o.strict, "strict", false, "exit with status 1 if a target is missed")
	flag.StringVar(&o.message, "message", "Hello, World!", "the `message` both servers answer with")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// run takes every measurement, writes the report to stdout and progress to
// stderr.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if len(o.conns) == 0 || o.duration <= 0 || o.starts < 1 || o.rounds < 1 || o.duration/time.Duration(o.rounds) <= 0 {
		return errors.New("need at least one connection count, a positive -duration, -rounds and -starts")
	}
	dir := o.out
	if dir == "" {
		tmp, err := os.MkdirTemp("", "microstack-bench-")
		if err != nil {
			return fmt.Errorf("create work directory: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}

	b := bench{opts: o, dir: dir, progress: stderr}
	rep, err := b.measure(ctx)
	if err != nil {
		return err
	}
	rep.write(stdout)
	if o.strict && rep.missed() {
		return errMissed
	}
	return nil
}

// connList is the -conns flag.
type connList []int

func (c *connList) String() string { return countlist.Format(*c) }

func (c *connList) Set(v string) error {
	n, err := countlist.Parse(v, "connection count")
	if err != nil {
		return err
	}
	*c = n
	return nil
}
