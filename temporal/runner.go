package temporal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/signals"
)

// RunnerOptions configure NewRunner; the zero value means defaults.
type RunnerOptions struct {
	// TaskQueue is where runs start ("" = DefaultTaskQueue).
	TaskQueue string
	// Namespace is the client's namespace ("" = "default"), used to check
	// that it has graflow's search attribute GraflowAwaitingFeedback.
	Namespace string
	// DataConverter is the client's data converter (nil = the SDK's
	// default). The client does not expose it, and a CheckpointManager
	// decodes what it reads from histories (checkpoint memos, answers to
	// child runs) with it: set it when the client encrypts payloads
	// (client.Options.DataConverter, package codec).
	DataConverter converter.DataConverter
}

// Runner is the client side: a graflow.Executor that starts each run as a
// Temporal workflow execution and turns its failure back into graflow's
// typed errors.
type Runner struct {
	client client.Client
	opts   RunnerOptions

	checkOnce sync.Once
	noAttr    bool
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
func (r *Runner) Execute(ctx context.Context, wf *graflow.Workflow, cfg engine.RunConfig) (*graflow.Result, error) {
	h, err := r.Start(ctx, wf, cfg)
	if err != nil {
		return nil, err
	}
	return h.Result(ctx)
}

// Start starts wf as a workflow execution of type wf.Name() and returns at
// once. Without graflow.WorkflowID the id is "<name>-<8 hex>".
func (r *Runner) Start(ctx context.Context, wf *graflow.Workflow, cfg engine.RunConfig) (*graflow.Handle, error) {
	in, err := engine.Compile(wf, cfg)
	if err != nil {
		return nil, err
	}
	in.Spec.NoAwaitingAttribute = r.lacksAwaitingAttribute(ctx)
	id := cfg.WorkflowID
	if id == "" {
		var b [4]byte
		_, _ = rand.Read(b[:]) // never fails on supported platforms
		id = wf.Name() + "-" + hex.EncodeToString(b[:])
	}
	run, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: r.opts.TaskQueue,
		// With a worker on this client (a program that embeds one,
		// starter run --dev), its first workflow task comes back with
		// the start response; otherwise the start is a plain one.
		EnableEagerStart: true,
		StaticSummary:    RunSummary(wf),
		StaticDetails:    runDetails(&in.Spec),
	}, wf.Name(), in)
	if err != nil {
		return nil, fmt.Errorf("graflow: starting %s: %w", wf.Name(), err)
	}
	return engine.NewHandle(r, run.GetID(), run.GetRunID()), nil
}

// lacksAwaitingAttribute reports, once per Runner, whether the namespace
// lacks the search attribute GraflowAwaitingFeedback: upserting an unknown
// attribute would fail every workflow task of a run that asks for
// feedback. A server that cannot tell (no operator API) is trusted to have it.
func (r *Runner) lacksAwaitingAttribute(ctx context.Context) bool {
	r.checkOnce.Do(func() {
		ns := r.opts.Namespace
		if ns == "" {
			ns = "default"
		}
		res, err := r.client.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err == nil {
			_, ok := res.GetCustomAttributes()[signals.AwaitingAttribute]
			r.noAttr = !ok
		}
	})
	return r.noAttr
}

// Result waits for the run workflowID/runID ("" = latest) and returns its
// value and final channel, or its failure as graflow's typed error. The
// wait rides out the server restarting or not answering for a while, until
// ctx ends (the error then wraps ctx.Err(): errors.Is(err,
// context.DeadlineExceeded) holds). It never sits much longer than the run:
// each long poll is bounded (250 ms at first, then a quarter of the time
// waited, at most 20 s).
func (r *Runner) Result(ctx context.Context, workflowID, runID string) (*graflow.Result, error) {
	var out wire.RunOutput
	run, err := awaitRun(ctx, r.client, workflowID, runID, &out)
	if err != nil {
		return nil, failures.Decode(err)
	}
	ch := engine.NewChannel(out.Channel, engine.ChannelOptions{ReadOnly: true})
	return engine.NewResult(workflowID, run.GetRunID(), out.Value, ch), nil
}
