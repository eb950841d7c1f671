package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/prompts"
)

// Runner runs graflow tasks as Temporal activities.
type Runner struct {
	registry *graflow.Registry
	client   client.Client
	logger   *slog.Logger
	prompts  *prompts.Manager
	// build is the worker's "<deployment>:<build id>" ("" = unversioned).
	build string
	// running counts the Run calls in progress.
	running atomic.Int64
}

// Running returns the number of task attempts running now.
func (r *Runner) Running() int { return int(r.running.Load()) }

// RunnerOption configures a Runner.
type RunnerOption func(*Runner)

// WithPrompts gives tasks m as TaskContext.Prompts (default: the
// GRAFLOW_PROMPTS_DIR or ./prompts directory).
func WithPrompts(m *prompts.Manager) RunnerOption { return func(r *Runner) { r.prompts = m } }

// WithBuild names the worker's Worker Deployment version
// ("<deployment>:<build id>") in the failures of tasks it does not have.
func WithBuild(build string) RunnerOption { return func(r *Runner) { r.build = build } }

// NewRunner returns a runner for the tasks of reg. The client answers
// on-demand channel reads (Query to the workflow); logger nil = slog.Default.
func NewRunner(reg *graflow.Registry, c client.Client, logger *slog.Logger, opts ...RunnerOption) *Runner {
	if logger == nil {
		logger = slog.Default()
	}
	r := &Runner{registry: reg, client: c, logger: logger}
	for _, o := range opts {
		o(r)
	}
	if r.prompts == nil {
		r.prompts = prompts.NewManager("")
	}
	return r
}

// Run is the activity body for every registered task: it runs in.Task, and
// traces and measures the attempt (see MetricTasksStarted and AttrTaskID).
func (r *Runner) Run(ctx context.Context, in wire.Input) (*wire.Output, error) {
	r.running.Add(1)
	defer r.running.Add(-1)
	ended := observe(ctx, in)
	out, err := r.run(ctx, in)
	ended(out, err)
	return out, err
}

// run runs in.Task.
func (r *Runner) run(ctx context.Context, in wire.Input) (*wire.Output, error) {
	info := activity.GetInfo(ctx)
	if _, ok := engine.LookupTask(r.registry, in.Task); !ok {
		return nil, r.NotRegistered(in.Task, info.TaskQueue)
	}
	v := in.ChannelView
	chOpts := engine.ChannelOptions{Context: ctx, Record: true, Absent: v.Absent, KeysKnown: v.KeysKnown, Omitted: v.Omitted, ResultsUnknown: v.ResultsUnknown}
	var source *querySource
	if !in.Complete {
		source = &querySource{client: r.client, workflowID: info.WorkflowExecution.ID, runID: info.WorkflowExecution.RunID, scope: in.Scope}
		chOpts.Source = source
	}
	ch := engine.NewChannel(in.Reads, chOpts)
	tc := engine.NewTaskContext(ctx, engine.TaskEnv{
		Task:       in.Task,
		TaskID:     in.TaskID,
		WorkflowID: info.WorkflowExecution.ID,
		RunID:      info.WorkflowExecution.RunID,
		Attempt:    max(in.Attempt, 1) + int(info.Attempt) - 1,
		Cycle:      in.Cycle,
		MaxCycles:  in.MaxCycles,
		Logger:     r.logger.With("task_id", in.TaskID, "workflow_id", info.WorkflowExecution.ID, "attempt", info.Attempt),
		Prompts:    r.prompts,
		Feedback:   engine.TaskFeedback(in.Feedback),
	}, ch, r.registry)

	attempt := max(in.Attempt, 1) + int(info.Attempt) - 1
	stop := heartbeat(ctx, info.HeartbeatTimeout)
	value, exited, err := invoke(r.registry, in.Task, tc, in.Params)
	stop()
	if req := engine.Suspended(tc); req != nil {
		// The task asked for feedback it has no answer for: it runs again
		// once the answer is in; its value and writes are discarded.
		return &wire.Output{Suspended: req}, nil
	}
	if exited && err == nil {
		err = errGoexit
	}
	if err == nil {
		err = ch.Err() // a failed read or write the body ignored
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), worker.ErrWorkerShutdown) {
		// The worker stopped and its grace period is over: the attempt is
		// abandoned, not failed; Temporal runs it again on another worker.
		return nil, failures.Encode(fmt.Errorf("task %q (attempt %d): %w", in.TaskID, attempt, worker.ErrWorkerShutdown), false)
	}
	if errors.Is(err, graflow.ErrChannelUnavailable) {
		// Not the task's fault: this attempt fails and Temporal runs it again.
		return nil, failures.Encode(fmt.Errorf("task %q (attempt %d): %w", in.TaskID, attempt, err), false)
	}
	if err == nil {
		out := &wire.Output{Value: value, Ops: engine.RecordedOps(ch), Fetched: source.fetchedKeys()}
		if out.Commands, err = engine.WireCommands(engine.Commands(tc)); err == nil {
			err = checkOutput(in.TaskID, out)
		}
		if err == nil {
			return out, nil
		}
		err = graflow.NonRetryable(err)
	}
	// The task's own error is never retried by Temporal: the interpreter
	// retries it as WithMaxRetries says, apart from crash retries.
	return nil, failures.Encode(&graflow.TaskError{TaskID: in.TaskID, Attempt: attempt, Err: err}, true)
}

// NotRegistered is the non-retryable failure of a task this worker does
// not have; it names the worker's build when it has one (WithBuild).
func (r *Runner) NotRegistered(task, queue string) error {
	err := fmt.Errorf("%w: %q is not registered on task queue %q", graflow.ErrTaskNotRegistered, task, queue)
	if r.build != "" {
		err = fmt.Errorf("%w (worker build %s)", err, r.build)
	}
	return failures.Encode(err, true)
}

// heartbeat records a heartbeat every third of timeout (at most every 10 s)
// until the returned stop function is called.
func heartbeat(ctx context.Context, timeout time.Duration) (stop func()) {
	if timeout <= 0 {
		return func() {}
	}
	every := min(timeout/3, 10*time.Second)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}
