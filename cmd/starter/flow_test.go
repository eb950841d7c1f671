package main

import (
	"github.com/graflow-go/graflow/internal/testutil"

	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/examples"
)

// runBinary runs bin with args in dir and returns stdout, failing on a
// non-zero exit.
func runBinary(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	out, err := runCommand(bin, dir, args...)
	require.NoError(t, err)
	return out
}

// runCommand runs bin with args in dir (for at most 5 minutes) and returns
// stdout; a non-zero exit is an error holding stderr.
func runCommand(bin, dir string, args ...string) (string, error) {
	stdout, _, err := runOutputs(bin, dir, args...)
	return stdout, err
}

// runBoth is runBinary returning stderr too.
func runBoth(t *testing.T, bin, dir string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := runOutputs(bin, dir, args...)
	require.NoError(t, err)
	return stdout, stderr
}

func runOutputs(bin, dir string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), stderr.String(), fmt.Errorf("starter %.200q: %w: %s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String(), nil
}

var (
	workerOnce sync.Once
	workerPath string
	workerErr  error
)

// workerBinary builds cmd/worker once per test binary.
func workerBinary(t *testing.T) string {
	t.Helper()
	workerOnce.Do(func() {
		path := filepath.Join(binDir, "worker")
		if out, err := exec.Command("go", "build", "-o", path, "../worker").CombinedOutput(); err != nil {
			workerErr = fmt.Errorf("go build ../worker: %w\n%s", err, out)
			return
		}
		workerPath = path
	})
	require.NoError(t, workerErr)
	return workerPath
}

// devProc is `starter dev` running as a separate process.
type devProc struct {
	cmd       *exec.Cmd
	addr, dir string
}

// startDev runs `starter dev` on the SQLite file dev.sqlite of dir and
// waits until it serves.
func startDev(t *testing.T, bin, dir, addr string, args ...string) *devProc {
	t.Helper()
	_, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(bin, append([]string{"dev", "--db-file", filepath.Join(dir, "dev.sqlite"), "--port", port, "--ui-port", "-1"}, args...)...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	d := &devProc{cmd: cmd, addr: addr, dir: dir}
	t.Cleanup(func() { d.kill(syscall.SIGTERM) })
	waitForLine(t, stderr, addr)
	return d
}

func (d *devProc) kill(sig syscall.Signal) {
	if d.cmd.ProcessState == nil {
		_ = d.cmd.Process.Signal(sig)
		_ = d.cmd.Wait()
	}
}

// startWorkers runs n cmd/worker processes against addr.
func startWorkers(t *testing.T, addr string, n int) []*exec.Cmd {
	t.Helper()
	worker := workerBinary(t)
	var procs []*exec.Cmd
	for i := range n {
		w := exec.Command(worker, "--address", addr, "--worker-id", fmt.Sprintf("%s-%d", t.Name(), i))
		require.NoError(t, w.Start())
		t.Cleanup(func() {
			if w.ProcessState == nil {
				_ = w.Process.Signal(syscall.SIGTERM)
				_ = w.Wait()
			}
		})
		procs = append(procs, w)
	}
	return procs
}

// The README's first command: one example on the embedded server, nothing
// else running.
func TestRunDev(t *testing.T) {
	bin := starterBinary(t)
	etl, ok := examples.Get("etl")
	require.True(t, ok)
	out := runBinary(t, bin, t.TempDir(), "run", "etl", "--dev")
	assert.Equal(t, etl.Output+"\n", out)
}

// The README's three-terminal flow: `starter dev` (server, Web UI, no
// in-process worker), `worker` as another process, `starter run` as a third.
func TestThreeTerminalFlow(t *testing.T) {
	bin := starterBinary(t)
	dir := t.TempDir()
	addr, ui := testutil.FreeAddress(t), testutil.FreeAddress(t)
	_, uiPort, _ := strings.Cut(ui, ":")
	startDev(t, bin, dir, addr, "--no-worker", "--ui-port", uiPort)
	startWorkers(t, addr, 1)

	diamond, _ := examples.Get("diamond")
	got := runBinary(t, bin, dir, "run", "diamond", "--address", addr, "--workflow-id", "flow-diamond")
	assert.Equal(t, diamond.Output+"\n", got)
	assert.Equal(t, diamond.Output+"\n", runBinary(t, bin, dir, "result", "flow-diamond", "--workflow", "diamond", "--address", addr))

	resp, err := http.Get("http://" + ui + "/namespaces/default/workflows/flow-diamond")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// waitForLine reads r until a line contains want (or fails after 60 s),
// then keeps draining r in the background.
func waitForLine(t *testing.T, r interface{ Read([]byte) (int, error) }, want string) {
	t.Helper()
	found := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if os.Getenv("GRAFLOW_TEST_LOGS") != "" {
				t.Log(sc.Text())
			}
			if strings.Contains(sc.Text(), want) {
				once.Do(func() { close(found) })
			}
		}
	}()
	select {
	case <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("no line containing %q", want)
	}
}
