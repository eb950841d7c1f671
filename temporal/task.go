package temporal

import (
	"encoding/json"
	"errors"
	"maps"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
)

// Defaults of the activity options of a task (see graflow.WithTimeout,
// graflow.WithHeartbeatTimeout).
const (
	// DefaultTaskTimeout bounds one attempt of a task body (start-to-close).
	DefaultTaskTimeout = 24 * time.Hour
	// DefaultHeartbeatTimeout is how long a silent worker is trusted; tasks
	// heartbeat automatically, so this is how fast a crashed worker is noticed.
	DefaultHeartbeatTimeout = 20 * time.Second
	// InfrastructureRetries is how many extra attempts a task gets for
	// failures that are not its own (worker crash, heartbeat timeout).
	InfrastructureRetries = 10
)

// taskState is where one run of a task stands. A run starts scheduled;
// advance moves it on each time the future it waits for is ready, until it
// is done or failed:
//
//	scheduled ─ attempt ok ─────────────────────────────▶ done
//	    │  ├─ own error, retries left ─▶ backing off ─(timer)─▶ scheduled
//	    │  ├─ asked a person ─▶ awaiting feedback ─(answer or timeout)─▶ scheduled
//	    │  ├─ left a feedback timeout unhandled ─▶ parked ─(late answer)─▶ scheduled
//	    │  ├─ no worker has the task ─▶ awaiting a worker ─(timer)─▶ scheduled
//	    └──┴─ anything else ────────────────────────────▶ failed
type taskState int

const (
	// taskScheduled: an attempt runs; pending is its activity.
	taskScheduled taskState = iota
	// taskBackingOff: the task failed on its own and waits for its retry
	// delay; pending is the durable timer.
	taskBackingOff
	// taskAwaitingFeedback: the task asked a person (HITL, feedback.go);
	// pending is ready once an answer came or the request timed out.
	taskAwaitingFeedback
	// taskParked: the task left a feedback timeout unhandled; pending is
	// ready once a late answer came.
	taskParked
	// taskAwaitingWorker: the worker that took the attempt does not have
	// the task (a deploy dropped it, or it is not rolled out yet); pending
	// is the timer before the same attempt is offered again (version 1 on).
	taskAwaitingWorker
	// taskDone: the task finished; value and cmds are its result.
	taskDone
	// taskFailed: the task failed for good with err.
	taskFailed
)

// taskRun is one run of a task node: its input, where it stands and what
// it waits for.
type taskRun struct {
	state   taskState
	node    *wire.NodeSpec
	opts    wire.TaskOptions
	in      wire.Input
	pending workflow.Future
	// unserved counts the attempts in a row that found no worker with
	// the task (taskAwaitingWorker).
	unserved int
	value    json.RawMessage
	cmds     []wire.Command
	err      error
}

// startTask counts a run of node (its cycle and a step) and schedules its
// first attempt. overlay holds the parameters a NextIteration bound.
func (r *run) startTask(ctx workflow.Context, s *scope, node *wire.NodeSpec, overlay map[string]json.RawMessage) (*taskRun, error) {
	opts := node.Options.WithDefaults(r.spec.Defaults)
	maxCycles := opts.MaxCycles
	if maxCycles <= 0 {
		maxCycles = graflow.DefaultMaxCycles
	}
	r.cycles[node.ID]++
	cycle := r.cycles[node.ID]
	if cycle > maxCycles {
		return nil, &graflow.CycleLimitError{TaskID: node.ID, Cycle: cycle, MaxCycles: maxCycles}
	}
	r.steps++
	t := &taskRun{node: node, opts: opts}
	t.in = wire.Input{Task: node.Task, TaskID: node.ID, Scope: s.id, Params: r.resolve(s, node, overlay, opts), Cycle: cycle, MaxCycles: maxCycles, Attempt: 1}
	if err := r.scheduleWithView(ctx, s, t); err != nil {
		return nil, err
	}
	return t, nil
}

// scheduleWithView schedules an attempt with what the run now holds for
// the task: its view of the channel and the answers to its feedback
// requests (HITL).
func (r *run) scheduleWithView(ctx workflow.Context, s *scope, t *taskRun) error {
	t.in.ChannelView = r.channelView(s, t.node.Task, t.opts)
	t.in.Feedback = r.fb.inputFor(t.node.ID)
	if err := checkInput(t.opts, &t.in); err != nil {
		return &graflow.TaskError{TaskID: t.node.ID, Err: err}
	}
	r.schedule(ctx, t)
	return nil
}

// checkInput refuses a task input over Temporal's payload limit; a local
// task's input never reaches the server.
func checkInput(opts wire.TaskOptions, in *wire.Input) error {
	if opts.IsLocal() {
		return nil
	}
	return activities.CheckInput(in)
}

// schedule starts the task's next attempt: a local activity (WithLocal),
// counted for continueAsNewDue (one marker event each), or a regular one.
func (r *run) schedule(ctx workflow.Context, t *taskRun) {
	t.state = taskScheduled
	if t.opts.IsLocal() {
		r.localSince++
		t.pending = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localActivityOptions(t.node.ID, t.opts)), t.node.Task, t.in)
		return
	}
	t.pending = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, activityOptions(t.node.ID, t.opts)), t.node.Task, t.in)
}

// advance moves t on from its state once t.pending is ready (see taskState).
func (r *run) advance(ctx workflow.Context, s *scope, t *taskRun) {
	if t.state == taskScheduled {
		r.attemptEnded(ctx, s, t)
		return
	}
	// A timer or a feedback wait ended: it fails only when the run is cancelled.
	if err := t.pending.Get(ctx, nil); err != nil {
		t.fail(err)
		return
	}
	switch t.state {
	case taskBackingOff:
		t.in.Attempt++
		r.schedule(ctx, t)
	case taskAwaitingWorker:
		r.schedule(ctx, t)
	case taskAwaitingFeedback, taskParked:
		// The same attempt runs again, with the answer (or timeout mark).
		if err := r.scheduleWithView(ctx, s, t); err != nil {
			t.fail(err)
		}
	}
}

// attemptEnded takes in the outcome of an attempt: its writes and result,
// a request for feedback, or a failure to retry or to fail with.
func (r *run) attemptEnded(ctx workflow.Context, s *scope, t *taskRun) {
	delete(r.unserved, t.node.ID) // a worker took it, or awaitWorker says again
	var out wire.Output
	if err := t.pending.Get(ctx, &out); err != nil {
		err, own := taskFailure(t.node.ID, err)
		if r.parkOnTimeout(ctx, t, err) { // HITL
			return
		}
		if !own && r.awaitWorker(ctx, t, err) {
			return
		}
		r.retryOrFail(ctx, t, err, own)
		return
	}
	r.learn(t.node.Task, out.Fetched)
	if out.Suspended != nil {
		r.awaitAnswer(ctx, s, t, out.Suspended) // HITL
		return
	}
	r.parkOnTimeout(ctx, t, nil) // HITL: closes the timed-out requests the task went on without
	if err := engine.ApplyOps(s.ch, out.Ops); err != nil {
		t.fail(&graflow.TaskError{TaskID: t.node.ID, Err: err}) // a write that conflicts with the channel is final
		return
	}
	if len(out.Value) == 0 {
		out.Value = json.RawMessage("null")
	}
	t.state, t.value, t.cmds = taskDone, out.Value, out.Commands
}

// retryOrFail backs off before the next attempt when the task's own error
// err may be retried: it failed on its own (not a crash, not bad
// parameters, not marked graflow.NonRetryable), has retries left
// (WithMaxRetries) and the run was not cancelled. Otherwise the task fails.
func (r *run) retryOrFail(ctx workflow.Context, t *taskRun, err error, own bool) {
	var pe *graflow.ParamError
	if !own || t.in.Attempt > t.opts.MaxRetries || errors.As(err, &pe) || errors.Is(err, graflow.ErrNonRetryable) || ctx.Err() != nil {
		t.fail(err)
		return
	}
	d := retryDelay(t.opts.RetryPolicy, t.in.Attempt)
	if d <= 0 {
		t.in.Attempt++
		r.schedule(ctx, t)
		return
	}
	t.state, t.pending = taskBackingOff, workflow.NewTimer(ctx, d)
}

func (t *taskRun) fail(err error) { t.state, t.err = taskFailed, err }

// maxWorkerWait is the longest wait before a task that no worker had is
// offered again: about 3,200 history events a day of waiting, so that a
// run can wait a couple of weeks for a worker before its history is full.
const maxWorkerWait = 5 * time.Minute

// awaitWorker reports whether err, a failure that is not the task's own,
// says that the worker that took t's attempt does not have its task (a
// task's own error wrapping graflow.ErrTaskNotRegistered, from a NextTask
// of an unknown task, fails as before) and, from interpreter version 1 on,
// waits for one that has it: the same attempt is offered again after 1 s,
// 2 s, 4 s … at most maxWorkerWait (each offer costs about 11 history
// events), and the run's current details say which task waits and why.
// Runs from before versions fail the task, as they did.
func (r *run) awaitWorker(ctx workflow.Context, t *taskRun, err error) bool {
	if r.version < 1 || !errors.Is(err, graflow.ErrTaskNotRegistered) || ctx.Err() != nil {
		return false
	}
	var te *graflow.TaskError
	reason := err.Error()
	if errors.As(err, &te) && te.Err != nil {
		reason = te.Err.Error()
	}
	if r.unserved == nil {
		r.unserved = map[string]string{}
	}
	r.unserved[t.node.ID] = reason
	if t.unserved == 0 {
		r.log.Warn("graflow: waiting for a worker that has the task", "task", t.node.ID, "reason", reason)
	}
	t.unserved++
	wait := min(time.Second<<min(t.unserved-1, 9), maxWorkerWait)
	t.state, t.pending = taskAwaitingWorker, workflow.NewTimer(ctx, wait)
	return true
}

// retryDelay is the wait before retry number n (1-based): none without a
// policy (as in Graflow), else InitialInterval * BackoffCoefficient^(n-1),
// capped at MaximumInterval.
func retryDelay(p *wire.RetryPolicy, n int) time.Duration {
	if p == nil {
		return 0
	}
	initial := positive(p.InitialInterval, time.Second)
	coef := p.BackoffCoefficient
	if coef < 1 {
		coef = 2
	}
	limit := positive(p.MaximumInterval, time.Minute)
	d := float64(initial)
	for i := 1; i < n && d < float64(limit); i++ {
		d *= coef
	}
	return min(time.Duration(d), max(limit, initial))
}

// resolve computes a task's parameters: channel < upstream result < bound
// (a NextIteration's parameters over the node's own).
func (r *run) resolve(s *scope, node *wire.NodeSpec, overlay map[string]json.RawMessage, opts wire.TaskOptions) map[string]json.RawMessage {
	bound := node.Params
	if len(overlay) > 0 {
		bound = maps.Clone(node.Params)
		if bound == nil {
			bound = map[string]json.RawMessage{}
		}
		maps.Copy(bound, overlay)
	}
	params := map[string]json.RawMessage{}
	for _, k := range node.Inputs {
		if raw, ok := bound[k]; ok {
			params[k] = raw
			continue
		}
		if opts.NoChannelResolution {
			continue
		}
		if raw, ok := s.ch.Raw(graflow.ResultKey(k)); ok {
			params[k] = raw
		} else if raw, ok := s.ch.Raw(k); ok {
			params[k] = raw
		}
	}
	return params
}

// infrastructureRetries is the retry policy Temporal applies to a task: only
// what is not the task's own error (a crashed worker, a heartbeat or
// start-to-close timeout, a channel read that could not be served) is
// retried; the task's own errors come back non-retryable and retryOrFail
// retries them itself.
func infrastructureRetries() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		MaximumAttempts: 1 + InfrastructureRetries}
}

func localActivityOptions(id string, o wire.TaskOptions) workflow.LocalActivityOptions {
	rp := infrastructureRetries()
	attempt := positive(o.Timeout, DefaultTaskTimeout)
	return workflow.LocalActivityOptions{
		StartToCloseTimeout: attempt,
		// Room for every infrastructure retry (unset, it would be one attempt).
		ScheduleToCloseTimeout: time.Duration(rp.MaximumAttempts) * (attempt + rp.MaximumInterval),
		RetryPolicy:            rp,
		Summary:                id,
	}
}

func activityOptions(id string, o wire.TaskOptions) workflow.ActivityOptions {
	rp := infrastructureRetries()
	return workflow.ActivityOptions{
		TaskQueue:           o.TaskQueue,
		StartToCloseTimeout: positive(o.Timeout, DefaultTaskTimeout),
		HeartbeatTimeout:    positive(o.HeartbeatTimeout, DefaultHeartbeatTimeout),
		RetryPolicy:         rp,
		Summary:             id,
	}
}

// positive returns d, or def when d is not positive.
func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// taskFailure turns an activity's failure into the task's typed error; own
// reports that the task's code returned it (as opposed to a timeout after
// Temporal's retries, a cancellation or a missing task), which is what
// WithMaxRetries retries.
func taskFailure(id string, err error) (_ error, own bool) {
	decoded := failures.Decode(err)
	var te *graflow.TaskError
	if errors.As(decoded, &te) {
		return te, true
	}
	return &graflow.TaskError{TaskID: id, Err: decoded}, false
}
