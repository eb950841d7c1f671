package graflow

import (
	"context"
	"encoding/json"
	"errors"
)

// Executor runs workflows. temporal.Runner is the implementation that makes
// each run a Temporal workflow execution.
type Executor interface {
	// Execute runs wf and waits for its result.
	Execute(ctx context.Context, wf *Workflow, cfg runConfig) (*Result, error)
	// Start starts wf and returns at once.
	Start(ctx context.Context, wf *Workflow, cfg runConfig) (*Handle, error)
	// Result waits for the run workflowID/runID ("" = latest) and returns its result.
	Result(ctx context.Context, workflowID, runID string) (*Result, error)
}

// Result is the outcome of a run: its return value (the value of the last
// task that completed, or the TerminateWorkflow result) and the final channel.
type Result struct {
	WorkflowID string
	RunID      string
	// Channel is a read-only snapshot of the run's final channel.
	Channel *Channel
	value   json.RawMessage
}

// newResult builds a Result.
func newResult(workflowID, runID string, value json.RawMessage, channel *Channel) *Result {
	return &Result{WorkflowID: workflowID, RunID: runID, Channel: channel, value: value}
}

// Value decodes the return value into dst.
func (r *Result) Value(dst any) error {
	if len(r.value) == 0 {
		return errors.New("graflow: run returned no value")
	}
	return json.Unmarshal(r.value, dst)
}

// Raw returns the JSON of the return value ("null" when the last node returned nothing).
func (r *Result) Raw() json.RawMessage { return r.value }

// Handle refers to a started run.
type Handle struct {
	WorkflowID string
	RunID      string
	exec       Executor
}

// newHandle builds a Handle.
func newHandle(exec Executor, workflowID, runID string) *Handle {
	return &Handle{WorkflowID: workflowID, RunID: runID, exec: exec}
}

// Result waits for the run to finish and returns its result.
func (h *Handle) Result(ctx context.Context) (*Result, error) {
	return h.exec.Result(ctx, h.WorkflowID, h.RunID)
}
