// Package harness is the set-up and the shared scenarios of the end-to-end
// suites: package e2e (the dev server on SQLite) and e2e/postgres (a
// server on PostgreSQL with the server's default settings). A suite's
// TestMain calls Main with its server options; Main builds cmd/worker and
// e2e/testworker, starts the server and the two worker processes the
// examples and the conformance tasks run on, and runs the tests.
package harness

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// ExamplesQueue is polled by the cmd/worker process.
const ExamplesQueue = "examples"

// Env is a suite's server, its worker binaries and the runners on the two
// worker processes.
type Env struct {
	Server *devserver.Server
	// BinDir holds the built binaries and the workers' logs.
	BinDir        string
	ExampleRunner *temporal.Runner
	ConformRunner *temporal.Runner
}

// Main sets the suite up with a server started with opts, hands the Env to
// use, runs the tests and returns the exit code for os.Exit.
func Main(m *testing.M, opts devserver.Options, use func(*Env)) int {
	code, err := setUp(m, opts, use)
	if err != nil {
		log.Printf("e2e set-up: %v", err)
		code = 1
	}
	return code
}

func setUp(m *testing.M, opts devserver.Options, use func(*Env)) (int, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "graflow-e2e-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	e := &Env{BinDir: dir}
	for _, pkg := range []string{"./cmd/worker", "./e2e/testworker"} {
		if err := e.GoBuild(pkg); err != nil {
			return 1, err
		}
	}
	if e.Server, err = devserver.Start(ctx, opts); err != nil {
		return 1, err
	}
	defer e.Server.Stop()
	stopA, err := e.StartWorker("worker", ExamplesQueue, "e2e-examples")
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
	stopB, err := e.StartWorker("testworker", conformance.TaskQueue, "e2e-conformance", "--prompts-dir", promptsDir)
	if err != nil {
		return 1, err
	}
	defer stopB()
	e.ExampleRunner = temporal.NewRunner(e.Server.Client(), temporal.RunnerOptions{TaskQueue: ExamplesQueue})
	e.ConformRunner = temporal.NewRunner(e.Server.Client(), temporal.RunnerOptions{TaskQueue: conformance.TaskQueue})
	use(e)
	return m.Run(), nil
}

// workerPrompt is the summarize prompt of the conformance worker's prompts
// directory (the examples' worker has none and uses the bundled one).
const workerPrompt = `- label: production
  version: 3
  template: "[worker dir] {{ text | upper }} in {{ max_words }} words"
`

// RepoRoot is the module root (found from the test's directory up).
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		panic(err) // only at set-up, on a broken checkout
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("harness: no go.mod above the test directory")
		}
		dir = parent
	}
}

// GoBuild builds the main package pkg (relative to the module root) into
// BinDir.
func (e *Env) GoBuild(pkg string) error {
	cmd := exec.Command("go", "build", "-o", e.BinDir+"/", pkg)
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// Worker is a worker binary running as a separate process.
type Worker struct {
	cmd  *exec.Cmd
	done chan struct{}
	// Log is the file of the process's output.
	Log string
}

// SpawnWorker starts a worker binary as a separate process polling queue,
// logging to a file in BinDir.
func (e *Env) SpawnWorker(bin, queue, id string, args ...string) (*Worker, error) {
	return e.SpawnWorkerEnv(bin, queue, id, nil, args...)
}

// SpawnWorkerEnv is SpawnWorker with env added to the process environment.
func (e *Env) SpawnWorkerEnv(bin, queue, id string, env []string, args ...string) (*Worker, error) {
	w := &Worker{done: make(chan struct{}), Log: filepath.Join(e.BinDir, id+".log")}
	w.cmd = exec.Command(filepath.Join(e.BinDir, bin), append([]string{"--address", e.Server.FrontendAddress(), "--task-queue", queue, "--worker-id", id}, args...)...)
	w.cmd.Env = append(os.Environ(), env...)
	logFile, err := os.OpenFile(w.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
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

// Kill ends the process with sig and waits for it (SIGKILL after 10 s).
func (w *Worker) Kill(sig syscall.Signal) {
	_ = w.cmd.Process.Signal(sig)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}

// Pid is the process id of the worker.
func (w *Worker) Pid() int { return w.cmd.Process.Pid }

// Signal sends sig to the process.
func (w *Worker) Signal(sig syscall.Signal) error { return w.cmd.Process.Signal(sig) }

// Wait waits up to limit for the process to exit and returns its exit code,
// or false when it was still running and was killed.
func (w *Worker) Wait(limit time.Duration) (int, bool) {
	select {
	case <-w.done:
		return w.cmd.ProcessState.ExitCode(), true
	case <-time.After(limit):
		_ = w.cmd.Process.Kill()
		<-w.done
		return -1, false
	}
}

// StartWorker runs a worker binary as a separate process polling queue and
// returns a function that stops it with SIGTERM (and prints its log when
// GRAFLOW_E2E_LOGS is set).
func (e *Env) StartWorker(bin, queue, id string, args ...string) (func(), error) {
	w, err := e.SpawnWorker(bin, queue, id, args...)
	if err != nil {
		return nil, err
	}
	return func() {
		w.Kill(syscall.SIGTERM)
		if os.Getenv("GRAFLOW_E2E_LOGS") != "" {
			if b, err := os.ReadFile(w.Log); err == nil {
				_, _ = os.Stderr.Write(b)
			}
		}
	}, nil
}

// HistoryLength returns the number of events of a run.
func HistoryLength(t *testing.T, c client.Client, workflowID string) int {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatalf("describe %s: %v", workflowID, err)
	}
	return int(d.WorkflowExecutionInfo.HistoryLength)
}

// ListRequest lists every run of one workflow id.
func (e *Env) ListRequest(workflowID string, token []byte) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{
		Namespace:     e.Server.Namespace(),
		Query:         fmt.Sprintf("WorkflowId = '%s'", workflowID),
		NextPageToken: token,
	}
}

// UnsafeID matches what may not appear in a workflow id or name derived
// from a test's name.
var UnsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// Run executes wf on the conformance worker under a workflow id derived
// from the test's name.
func (e *Env) Run(t *testing.T, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	id := UnsafeID.ReplaceAllString(t.Name(), "_")
	return wf.Execute(ctx, e.ConformRunner, append([]graflow.ExecuteOption{graflow.WorkflowID(id)}, opts...)...)
}

// Flow builds a workflow named after the test from nodes.
func Flow(t *testing.T, nodes ...graflow.Node) *graflow.Workflow { return FlowWith(t, nil, nodes...) }

// FlowWith is Flow with workflow options.
func FlowWith(t *testing.T, opts []graflow.WorkflowOption, nodes ...graflow.Node) *graflow.Workflow {
	wf := graflow.NewWorkflow(UnsafeID.ReplaceAllString(strings.ReplaceAll(t.Name(), "/", "_"), "_"), opts...)
	wf.Add(nodes...)
	return wf
}

// Step is a conformance step task instance.
func Step(id string) *graflow.Instance { return conformance.Step.Instance(id, nil) }

// Value decodes the result's value.
func Value[T any](t *testing.T, res *graflow.Result) T {
	t.Helper()
	var v T
	require.NoError(t, res.Value(&v))
	return v
}

// ChannelValue decodes one key of the final channel.
func ChannelValue[T any](t *testing.T, res *graflow.Result, key string) T {
	t.Helper()
	var v T
	require.NoError(t, res.Channel.Get(key, &v), key)
	return v
}

// ChannelLog is the final channel's "log" the step tasks append to.
func ChannelLog(t *testing.T, res *graflow.Result) []string {
	t.Helper()
	return ChannelValue[[]string](t, res, "log")
}

// ReadFile returns the file's contents ("" when it cannot be read).
func ReadFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
