package e2e_test

import (
	"os"
	"testing"

	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// examplesQueue is polled by the cmd/worker process.
const examplesQueue = harness.ExamplesQueue

// The suite's set-up (e2e/harness): the dev server on in-memory SQLite and
// the two worker processes.
var (
	env           *harness.Env
	srv           *devserver.Server
	binDir        string
	exampleRunner *temporal.Runner
	conformRunner *temporal.Runner
)

func TestMain(m *testing.M) {
	os.Exit(harness.Main(m, devserver.Options{UIPort: -1}, func(e *harness.Env) {
		env, srv, binDir, exampleRunner, conformRunner = e, e.Server, e.BinDir, e.ExampleRunner, e.ConformRunner
	}))
}

// Short names for the harness's helpers, as the tests use them.

var (
	unsafeID      = harness.UnsafeID
	repoRoot      = harness.RepoRoot
	historyLength = harness.HistoryLength
	flow          = harness.Flow
	flowWith      = harness.FlowWith
	step          = harness.Step
	channelLog    = harness.ChannelLog
	readFile      = harness.ReadFile
	resultOf      = harness.ResultOf
	ask           = harness.Ask
)

func goBuild(pkg string) error { return env.GoBuild(pkg) }

func spawnWorker(bin, queue, id string, args ...string) (*harness.Worker, error) {
	return env.SpawnWorker(bin, queue, id, args...)
}

func spawnWorkerEnv(bin, queue, id string, vars []string, args ...string) (*harness.Worker, error) {
	return env.SpawnWorkerEnv(bin, queue, id, vars, args...)
}

func run(t *testing.T, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	t.Helper()
	return env.Run(t, wf, opts...)
}

func value[T any](t *testing.T, res *graflow.Result) T {
	t.Helper()
	return harness.Value[T](t, res)
}

func channelValue[T any](t *testing.T, res *graflow.Result, key string) T {
	t.Helper()
	return harness.ChannelValue[T](t, res, key)
}
