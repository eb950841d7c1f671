package conformance

import (
	"errors"
	"os"

	"github.com/graflow-go/graflow/graflow"
)

// RecoveryQueue is the task queue of the fault-recovery test's workers.
const RecoveryQueue = "recovery"

// BugEnv, set to 1 in a worker's environment, makes Buggy fail: that worker
// runs the buggy version of the task, a worker without it the fixed one.
const BugEnv = "GRAFLOW_TEST_BUGGY"

type traceIn struct {
	Path string `json:"path"`
}

// Trace appends its id to the file Path (a side effect outside the run,
// to count executions) and returns its id.
var Trace = graflow.NewTask("c_trace", func(ctx *graflow.TaskContext, in traceIn) (string, error) {
	return ctx.TaskID(), appendLine(in.Path, ctx.TaskID())
}, graflow.WithTaskQueue(RecoveryQueue))

// Checkpointer is Trace plus a checkpoint with the metadata of Graflow's example.
var Checkpointer = graflow.NewTask("c_checkpointer", func(ctx *graflow.TaskContext, in traceIn) (string, error) {
	ctx.Checkpoint(map[string]any{"stage": "first"})
	ctx.Checkpoint(map[string]any{"stage": "after_load"}) // the last request wins
	return ctx.TaskID(), appendLine(in.Path, ctx.TaskID())
}, graflow.WithTaskQueue(RecoveryQueue))

// Buggy fails on a worker started with BugEnv=1 and traces otherwise.
var Buggy = graflow.NewTask("c_buggy", func(ctx *graflow.TaskContext, in traceIn) (string, error) {
	if os.Getenv(BugEnv) == "1" {
		return "", errors.New("bug: division by zero")
	}
	return ctx.TaskID(), appendLine(in.Path, ctx.TaskID())
}, graflow.WithTaskQueue(RecoveryQueue))
