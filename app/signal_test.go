package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests below run the real binary, so that what they check includes
// main's signal handling, and send it real signals.

// buildBinary compiles this package into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "microstack")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// service is the binary running as a child process.
type service struct {
	cmd    *exec.Cmd
	url    string
	stdout *syncBuffer
	exited chan struct{} // closed once the process has exited
	err    error         // Wait's result, once exited is closed
}

// startService runs bin with the given settings and waits until /readyz
// answers 200.
func startService(t *testing.T, bin string, vars map[string]string) *service {
	t.Helper()
	port := freePort(t)
	env := []string{"APP_PORT=" + strconv.Itoa(port)}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	s := &service{
		cmd:    cmd,
		url:    "http://127.0.0.1:" + strconv.Itoa(port),
		stdout: &syncBuffer{},
		exited: make(chan struct{}),
	}
	cmd.Stdout = s.stdout
	cmd.Stderr = s.stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for probe(s.url+"/readyz") != http.StatusOK {
		select {
		case <-s.exited:
			t.Fatalf("service exited at start: %v\n%s", s.err, s.stdout.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service not ready within 10s\n%s", s.stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// signal sends sig to the service and returns when it was sent.
func (s *service) signal(t *testing.T, sig os.Signal) time.Time {
	t.Helper()
	sent := time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
	return sent
}

// waitExit returns when the service exited, failing the test after limit.
func (s *service) waitExit(t *testing.T, limit time.Duration) time.Time {
	t.Helper()
	select {
	case <-s.exited:
		return time.Now()
	case <-time.After(limit):
		t.Fatalf("service still running %v later\n%s", limit, s.stdout.String())
		return time.Time{}
	}
}

// probe GETs url on a new connection, as the kubelet does, and returns the
// status, or 0 if the request failed.
func probe(url string) int {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// outcome is one request of the steady load.
type outcome struct {
	sent   time.Time
	status int
	err    error
}

// steadyLoad sends GET url from workers goroutines, each over its own
// keep-alive client and pausing between requests, until stop is called,
// which returns every outcome.
func steadyLoad(url string, workers int, pause time.Duration) (stop func() []outcome) {
	var (
		mu   sync.Mutex
		all  []outcome
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
			defer c.CloseIdleConnections()
			for {
				select {
				case <-done:
					return
				case <-time.After(pause):
				}
				o := outcome{sent: time.Now()}
				resp, err := c.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					o.status = resp.StatusCode
				}
				o.err = err
				mu.Lock()
				all = append(all, o)
				mu.Unlock()
			}
		})
	}
	return func() []outcome {
		close(done)
		wg.Wait()
		return all
	}
}

func TestSIGTERMDrainsUnderLoad(t *testing.T) {
	const (
		drain    = 2 * time.Second
		shutdown = 3 * time.Second
		// "At once": well inside the drain delay, however loaded the
		// machine running the test.
		readyBound = drain / 2
	)
	s := startService(t, buildBinary(t), map[string]string{
		"APP_DRAIN_DELAY":      drain.String(),
		"APP_SHUTDOWN_TIMEOUT": shutdown.String(),
	})
	stopLoad := steadyLoad(s.url+"/", 4, 2*time.Millisecond)
	time.Sleep(300 * time.Millisecond)

	term := s.signal(t, syscall.SIGTERM)
	for probe(s.url+"/readyz") != http.StatusServiceUnavailable {
		if time.Since(term) > readyBound {
			t.Fatalf("/readyz not 503 within %v of SIGTERM", readyBound)
		}
		time.Sleep(5 * time.Millisecond)
	}
	exited := s.waitExit(t, drain+shutdown+5*time.Second)
	outcomes := stopLoad()

	if took := exited.Sub(term); took < drain || took > drain+shutdown {
		t.Errorf("exited %v after SIGTERM, want between the drain delay %v and the bound %v", took, drain, drain+shutdown)
	}
	if s.err != nil {
		t.Errorf("exit: %v, want status 0\n%s", s.err, s.stdout.String())
	}

	// Every request sent before SIGTERM, and during the drain delay while
	// the service still listens, must succeed. Once the listener closes,
	// a request may only fail to reach the service: refused, or cut off
	// in the listen backlog, never accepted. No request may ever get an
	// error status. The last quarter of the drain delay is left out: it
	// covers a loaded machine stalling a new connection until the
	// listener has closed.
	listening := term.Add(drain - drain/4)
	var before, during, unreached int
	for _, o := range outcomes {
		switch {
		case o.err == nil && o.status == http.StatusOK:
			if o.sent.Before(term) {
				before++
			} else if o.sent.Before(listening) {
				during++
			}
		case o.sent.Before(listening):
			t.Errorf("request sent %v after SIGTERM failed: status %d, %v", o.sent.Sub(term), o.status, o.err)
		case o.err == nil:
			t.Errorf("request sent %v after SIGTERM got status %d", o.sent.Sub(term), o.status)
		default:
			unreached++
		}
	}
	t.Logf("%d requests before SIGTERM, %d during the drain, %d unanswered after it", before, during, unreached)
	if before == 0 || during == 0 {
		t.Errorf("%d requests before SIGTERM and %d during the drain: the load did not cover both", before, during)
	}
	for _, want := range []string{`"msg":"shutdown requested, draining"`, `"msg":"server stopped"`} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, s.stdout.String())
		}
	}
}

func TestSecondSignalEndsAtOnce(t *testing.T) {
	const drain = time.Minute
	s := startService(t, buildBinary(t), map[string]string{"APP_DRAIN_DELAY": drain.String()})
	s.signal(t, syscall.SIGTERM)
	for probe(s.url+"/readyz") != http.StatusServiceUnavailable {
		time.Sleep(5 * time.Millisecond)
	}
	second := s.signal(t, syscall.SIGINT)
	exited := s.waitExit(t, 5*time.Second)
	if took := exited.Sub(second); took > 2*time.Second {
		t.Errorf("exited %v after the second signal, want at once", took)
	}
	var exitErr *exec.ExitError
	if !errors.As(s.err, &exitErr) || exitErr.ExitCode() != -1 {
		t.Errorf("exit = %v, want death by the signal", s.err)
	}
}
