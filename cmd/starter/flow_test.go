package main

import (
	"github.com/graflow-go/graflow/internal/testutil"

	"bufio"
	"bytes"
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "starter %v: %s", args, stderr.String())
	return stdout.String()
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
	worker := filepath.Join(binDir, "worker")
	build := exec.Command("go", "build", "-o", worker, "../worker")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	addr, ui := testutil.FreeAddress(t), testutil.FreeAddress(t)
	_, port, _ := strings.Cut(addr, ":")
	_, uiPort, _ := strings.Cut(ui, ":")
	dev := exec.Command(bin, "dev", "--db-file", filepath.Join(dir, "dev.sqlite"), "--port", port, "--ui-port", uiPort, "--no-worker")
	dev.Dir = dir
	devErr, err := dev.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, dev.Start())
	t.Cleanup(func() {
		_ = dev.Process.Signal(syscall.SIGTERM)
		_ = dev.Wait()
	})
	waitForLine(t, devErr, "http://"+ui)

	w := exec.Command(worker, "--address", addr, "--worker-id", "flow-test")
	w.Dir = dir
	require.NoError(t, w.Start())
	t.Cleanup(func() {
		_ = w.Process.Signal(syscall.SIGTERM)
		_ = w.Wait()
	})

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
