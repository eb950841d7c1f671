package temporal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
)

// RunnerOptions configure NewRunner; the zero value means defaults.
type RunnerOptions struct {
	// TaskQueue is where runs start ("" = DefaultTaskQueue).
	TaskQueue string
}

// Runner is the client side: a graflow.Executor that starts each run as a
// Temporal workflow execution and turns its failure back into graflow's
// typed errors.
type Runner struct {
	client client.Client
	opts   RunnerOptions
}

var _ graflow.Executor = (*Runner)(nil)

// NewRunner returns a Runner using c.
func NewRunner(c client.Client, opts RunnerOptions) *Runner {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	return &Runner{client: c, opts: opts}
}

// Execute starts wf and waits for its result.
func (r *Runner) Execute(ctx context.Context, wf *graflow.Workflow, cfg graflow.RunConfig) (*graflow.Result, error) {
	h, err := r.Start(ctx, wf, cfg)
	if err != nil {
		return nil, err
	}
	return h.Result(ctx)
}

// Start starts wf as a workflow execution of type wf.Name() and returns at
// once. Without graflow.WorkflowID the id is "<name>-<8 hex>".
func (r *Runner) Start(ctx context.Context, wf *graflow.Workflow, cfg graflow.RunConfig) (*graflow.Handle, error) {
	in, err := Compile(wf, cfg)
	if err != nil {
		return nil, err
	}
	id := cfg.WorkflowID
	if id == "" {
		var b [4]byte
		_, _ = rand.Read(b[:]) // never fails on supported platforms
		id = wf.Name() + "-" + hex.EncodeToString(b[:])
	}
	run, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:            id,
		TaskQueue:     r.opts.TaskQueue,
		StaticSummary: "graflow: " + wf.Name(),
	}, wf.Name(), in)
	if err != nil {
		return nil, fmt.Errorf("graflow: starting %s: %w", wf.Name(), err)
	}
	return graflow.NewHandle(r, run.GetID(), run.GetRunID()), nil
}

// Result waits for the run workflowID/runID ("" = latest) and returns its
// value and final channel, or its failure as graflow's typed error.
func (r *Runner) Result(ctx context.Context, workflowID, runID string) (*graflow.Result, error) {
	run := r.client.GetWorkflow(ctx, workflowID, runID)
	var out RunOutput
	if err := run.Get(ctx, &out); err != nil {
		return nil, failures.Decode(err)
	}
	ch := graflow.NewChannel(out.Channel, graflow.ChannelOptions{ReadOnly: true})
	return graflow.NewResult(workflowID, run.GetRunID(), out.Value, ch), nil
}
