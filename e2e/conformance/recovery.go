package conformance

import (
	"errors"
	"fmt"
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

// TracedApproval asks the approval "id" and, once answered, traces
// "<task id>:approved" or "<task id>:rejected" and returns it.
var TracedApproval = graflow.NewTask("c_traced_approval", func(ctx *graflow.TaskContext, in struct {
	Path string `json:"path"`
	ID   string `json:"id"`
}) (string, error) {
	resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: in.ID, Type: graflow.Approval, Message: "Approve?"})
	if err != nil {
		return "", err
	}
	line := ctx.TaskID() + ":rejected"
	if resp.Approved {
		line = ctx.TaskID() + ":approved"
	}
	return line, appendLine(in.Path, line)
}, graflow.WithTaskQueue(RecoveryQueue))

// CheckpointLoop traces "<task id>:<n>", checkpoints, and iterates with
// NextIteration until N reaches Until (each iteration is one step, so a
// history long enough makes the run continue as new in between).
var CheckpointLoop = graflow.NewTask("c_checkpoint_loop", func(ctx *graflow.TaskContext, in struct {
	Path  string `json:"path"`
	N     int    `json:"n"`
	Until int    `json:"until"`
}) (int, error) {
	ctx.Checkpoint(map[string]any{"n": in.N})
	if err := appendLine(in.Path, fmt.Sprintf("%s:%d", ctx.TaskID(), in.N)); err != nil {
		return 0, err
	}
	if in.N < in.Until {
		return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
	}
	return in.N, nil
}, graflow.WithTaskQueue(RecoveryQueue), graflow.WithMaxCycles(100000))

// SpawnApproval traces its id and adds the dynamic group "approvals":
// TracedApproval "ask" (approval "ok") | Trace "other", so that "ask" asks
// in a child run of its own (<workflow id>/approvals/ask).
var SpawnApproval = graflow.NewTask("c_spawn_approval", func(ctx *graflow.TaskContext, in traceIn) (string, error) {
	p := graflow.Params{"path": in.Path}
	group := graflow.Parallel(TracedApproval.Instance("ask", graflow.Params{"path": in.Path, "id": "ok"}), Trace.Instance("other", p)).Named("approvals")
	return ctx.TaskID(), errors.Join(appendLine(in.Path, ctx.TaskID()), ctx.NextTask(group))
}, graflow.WithTaskQueue(RecoveryQueue))
