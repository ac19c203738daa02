package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/microstack/microstack/internal/contract"
)

const (
	// startLimit bounds the wait for a process to become ready.
	startLimit = 10 * time.Second
	// stopLimit bounds the wait for a process to exit after SIGTERM.
	stopLimit = 5 * time.Second
	// pollEvery is the readiness poll interval: tight, so that the ready
	// figure is not rounded up by it, yet leaving the CPU to the process
	// that is starting.
	pollEvery = 200 * time.Microsecond
)

// process is a server running as a child process.
type process struct {
	name   string
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT
	stderr *bytes.Buffer
	exited chan struct{} // closed when the process has exited
	err    error         // the process's exit status, once exited is closed
}

// launch starts bin with args and env, serving on port.
func launch(name, bin string, port int, args, env []string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	// Stdout stays nil, which os/exec connects to /dev/null: the service
	// writes its request logs there, paying for encoding and the write.
	p := &process{
		name:   name,
		cmd:    cmd,
		url:    "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		stderr: &bytes.Buffer{},
		exited: make(chan struct{}),
	}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// appEnv is the service's environment: the bench's own, less any APP_*
// setting, plus the given ones.
func appEnv(port int, message string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, contract.EnvPrefix) {
			env = append(env, kv)
		}
	}
	return append(env, append([]string{
		contract.EnvPort + "=" + strconv.Itoa(port),
		contract.EnvMessage + "=" + message,
		contract.EnvLogLevel + "=info",
		// Nothing is in flight when the bench stops the service.
		contract.EnvDrainDelay + "=0s",
	}, extra...)...)
}

// startApp starts the service and waits until it is ready.
func startApp(ctx context.Context, bin, message string, extraEnv []string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p, err := launch("service", bin, port, nil, appEnv(port, message, extraEnv...))
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, "/readyz"); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// startCeiling starts the ceiling and waits until it answers.
func startCeiling(ctx context.Context, bin, message string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	p, err := launch("ceiling", bin, port, []string{"-addr", addr, "-message", message}, os.Environ())
	if err != nil {
		return nil, err
	}
	if err := p.waitReady(ctx, "/"); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// timeStart starts the service once and returns the time from exec to
// its first 200 on /readyz.
func timeStart(ctx context.Context, bin, message string) (time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	p, err := launch("service", bin, port, nil, appEnv(port, message))
	if err != nil {
		return 0, err
	}
	defer p.stop()
	if err := p.waitReady(ctx, "/readyz"); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// newProbe returns the client of readiness checks: a new connection per
// request, as a kubelet probe makes.
func newProbe() *http.Client {
	return &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true},
		Timeout:   time.Second,
	}
}

// waitReady polls path until it answers 200, the process exits or
// startLimit passes.
func (p *process) waitReady(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, startLimit)
	defer cancel()
	url := p.url + path
	probe := newProbe()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := probe.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, p.err, p.stderr)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s within %v: %w", p.name, url, startLimit, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// stop sends SIGTERM and waits for the process to exit, killing it if it
// takes longer than stopLimit.
func (p *process) stop() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopLimit):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not exit within %v of SIGTERM", p.name, stopLimit)
	}
}

// rss returns the process's resident set size in bytes.
func (p *process) rss() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read %s memory: %w", p.name, err)
	}
	defer f.Close()
	return parseVmRSS(f)
}

// parseVmRSS reads the VmRSS line of a /proc/PID/status file.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected VmRSS line %q: %w", sc.Text(), err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS line")
}

// sampleRSS samples p's memory every interval until the returned function
// is called, which returns the largest sample.
func sampleRSS(p *process, every time.Duration) (peak func() int64) {
	var (
		mu   sync.Mutex
		most int64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if n, err := p.rss(); err == nil {
				mu.Lock()
				most = max(most, n)
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return most
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// sameResponse checks that the service and the ceiling answer GET / with
// the same status, body and framing headers, so that the two are measured
// on the same work.
func sameResponse(ctx context.Context, appURL, ceilingURL string) error {
	a, err := fetch(ctx, appURL+"/")
	if err != nil {
		return err
	}
	c, err := fetch(ctx, ceilingURL+"/")
	if err != nil {
		return err
	}
	if a != c {
		return fmt.Errorf("the ceiling answers GET / with\n\t%+v\nbut the service with\n\t%+v", c, a)
	}
	return nil
}

// answer is what sameResponse compares.
type answer struct {
	status              int
	contentType, length string
	body                string
}

func fetch(ctx context.Context, url string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{}, err
	}
	resp, err := newProbe().Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("read %s: %w", url, err)
	}
	return answer{
		status:      resp.StatusCode,
		contentType: resp.Header.Get("Content-Type"),
		length:      resp.Header.Get("Content-Length"),
		body:        string(body),
	}, nil
}
