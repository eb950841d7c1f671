package e2e_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// examplesQueue is polled by the cmd/worker process.
const examplesQueue = "examples"

var (
	srv           *devserver.Server
	binDir        string
	exampleRunner *temporal.Runner
	conformRunner *temporal.Runner
)

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		log.Printf("e2e set-up: %v", err)
		code = 1
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "graflow-e2e-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for _, pkg := range []string{"./cmd/worker", "./e2e/testworker"} {
		if err := goBuild(pkg); err != nil {
			return 1, err
		}
	}
	srv, err = devserver.Start(ctx, devserver.Options{UIPort: -1})
	if err != nil {
		return 1, err
	}
	defer srv.Stop()
	stopA, err := startWorker("worker", examplesQueue, "e2e-examples")
	if err != nil {
		return 1, err
	}
	defer stopA()
	promptsDir := filepath.Join(dir, "prompts")
	if err := os.MkdirAll(promptsDir, 0o755); err != nil {
		return 1, err
	}
	if err := os.WriteFile(filepath.Join(promptsDir, "summarize.yaml"), []byte(workerPrompt), 0o644); err != nil {
		return 1, err
	}
	stopB, err := startWorker("testworker", conformance.TaskQueue, "e2e-conformance", "--prompts-dir", promptsDir)
	if err != nil {
		return 1, err
	}
	defer stopB()
	exampleRunner = temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: examplesQueue})
	conformRunner = temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: conformance.TaskQueue})
	return m.Run(), nil
}

// workerPrompt is the summarize prompt of the conformance worker's prompts
// directory (the examples' worker has none and uses the bundled one).
const workerPrompt = `- label: production
  version: 3
  template: "[worker dir] {{ text | upper }} in {{ max_words }} words"
`

// repoRoot is the module root (the tests run in e2e/).
func repoRoot() string { return filepath.Dir(must(os.Getwd())) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err) // only at set-up, on a broken checkout
	}
	return v
}

// goBuild builds the main package pkg into binDir.
func goBuild(pkg string) error {
	cmd := exec.Command("go", "build", "-o", binDir+"/", pkg)
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// workerProc is a worker binary running as a separate process.
type workerProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// spawnWorker starts a worker binary as a separate process polling queue,
// logging to a file in binDir.
func spawnWorker(bin, queue, id string, args ...string) (*workerProc, error) {
	return spawnWorkerEnv(bin, queue, id, nil, args...)
}

// spawnWorkerEnv is spawnWorker with env added to the process environment.
func spawnWorkerEnv(bin, queue, id string, env []string, args ...string) (*workerProc, error) {
	w := &workerProc{done: make(chan struct{}), log: filepath.Join(binDir, id+".log")}
	w.cmd = exec.Command(filepath.Join(binDir, bin), append([]string{"--address", srv.FrontendAddress(), "--task-queue", queue, "--worker-id", id}, args...)...)
	w.cmd.Env = append(os.Environ(), env...)
	logFile, err := os.OpenFile(w.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w.cmd.Stdout, w.cmd.Stderr = logFile, logFile
	if err := w.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() {
		_ = w.cmd.Wait()
		logFile.Close()
		close(w.done)
	}()
	return w, nil
}

// kill ends the process with sig and waits for it (SIGKILL after 10 s).
func (w *workerProc) kill(sig syscall.Signal) {
	_ = w.cmd.Process.Signal(sig)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// startWorker runs a worker binary as a separate process polling queue and
// returns a function that stops it with SIGTERM (and prints its log when
// GRAFLOW_E2E_LOGS is set).
func startWorker(bin, queue, id string, args ...string) (func(), error) {
	w, err := spawnWorker(bin, queue, id, args...)
	if err != nil {
		return nil, err
	}
	return func() {
		w.kill(syscall.SIGTERM)
		if os.Getenv("GRAFLOW_E2E_LOGS") != "" {
			if b, err := os.ReadFile(w.log); err == nil {
				_, _ = os.Stderr.Write(b)
			}
		}
	}, nil
}

// historyLength returns the number of events of a run.
func historyLength(t *testing.T, c client.Client, workflowID string) int {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatalf("describe %s: %v", workflowID, err)
	}
	return int(d.WorkflowExecutionInfo.HistoryLength)
}

// listRequest lists every run of one workflow id.
func listRequest(workflowID string, token []byte) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{
		Namespace:     srv.Namespace(),
		Query:         fmt.Sprintf("WorkflowId = '%s'", workflowID),
		NextPageToken: token,
	}
}
