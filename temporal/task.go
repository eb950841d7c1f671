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
	"github.com/graflow-go/graflow/internal/failures"
)

// Defaults of the activity options of a task (see graflow.TaskOptions).
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

// startedTask is a task whose activity has been scheduled.
type startedTask struct {
	// own says the last failure was the task's own error (taskFailure).
	own    bool
	node   *NodeSpec
	opts   graflow.TaskOptions
	in     activities.Input
	future workflow.Future
	// wait is set while the task waits for a person (HITL, feedback.go).
	wait *feedbackWait
}

// startTask counts a run of node (its cycle and a step) and schedules its
// first attempt. overlay holds the parameters a NextIteration bound.
func (r *run) startTask(ctx workflow.Context, s *scope, node *NodeSpec, overlay map[string]json.RawMessage) (*startedTask, error) {
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
	in := activities.Input{Task: node.Task, TaskID: node.ID, Scope: s.id, Params: r.resolve(s, node, overlay, opts), Cycle: cycle, MaxCycles: maxCycles, Attempt: 1}
	in.ChannelView = r.channelView(s, node.Task, opts)
	in.Feedback = r.fb.inputFor(node.ID) // HITL: the answers the run holds for this task (feedback.go)
	if err := checkInput(opts, &in); err != nil {
		return nil, &graflow.TaskError{TaskID: node.ID, Err: err}
	}
	t := &startedTask{node: node, opts: opts, in: in}
	r.schedule(ctx, t)
	return t, nil
}

// checkInput refuses a task input over Temporal's payload limit; a local
// task's input never reaches the server.
func checkInput(opts graflow.TaskOptions, in *activities.Input) error {
	if opts.IsLocal() {
		return nil
	}
	return activities.CheckInput(in)
}

// schedule starts the task's next attempt: a local activity (WithLocal),
// counted for continueAsNewDue (one marker event each), or a regular one.
func (r *run) schedule(ctx workflow.Context, t *startedTask) {
	if t.opts.IsLocal() {
		r.localSince++
		t.future = workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localActivityOptions(t.node.ID, t.opts)), t.node.Task, t.in)
		return
	}
	t.future = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, activityOptions(t.node.ID, t.opts)), t.node.Task, t.in)
}

// retryable reports whether the task's own error err may be retried: it
// failed on its own (not a crash, not bad parameters, not marked
// graflow.NonRetryable) and has retries left (WithMaxRetries). A task
// waiting for feedback counts as retryable too: retryLater waits for the
// answer and runs it again (HITL, feedback.go).
func (t *startedTask) retryable(err error) bool {
	if t.wait != nil {
		return true
	}
	var pe *graflow.ParamError
	return t.own && t.in.Attempt <= t.opts.MaxRetries && !errors.As(err, &pe) &&
		!errors.Is(err, graflow.ErrNonRetryable) && !isStop(err)
}

// awaitTask waits for a started task, retrying its own errors as its
// options allow (after the RetryPolicy's delay, on a durable timer).
func (r *run) awaitTask(ctx workflow.Context, s *scope, t *startedTask) (json.RawMessage, []activities.Command, error) {
	for {
		value, cmds, err := r.finishTask(ctx, s, t)
		if err == nil || !t.retryable(err) || ctx.Err() != nil {
			return value, cmds, err
		}
		if err := r.retryLater(ctx, t); err != nil {
			return nil, nil, err
		}
	}
}

// retryLater sleeps the retry delay and schedules the next attempt of t.
func (r *run) retryLater(ctx workflow.Context, t *startedTask) error {
	if t.wait != nil {
		return r.awaitFeedback(ctx, t) // HITL: not a retry (same attempt)
	}
	if d := retryDelay(t.opts.RetryPolicy, t.in.Attempt); d > 0 {
		if err := workflow.Sleep(ctx, d); err != nil {
			return err
		}
	}
	t.in.Attempt++
	r.schedule(ctx, t)
	return nil
}

// retryDelay is the wait before retry number n (1-based): none without a
// policy (as in Graflow), else InitialInterval * BackoffCoefficient^(n-1),
// capped at MaximumInterval.
func retryDelay(p *graflow.RetryPolicy, n int) time.Duration {
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

// finishTask waits for a started task and applies its writes to s; it
// returns the task's value and commands.
func (r *run) finishTask(ctx workflow.Context, s *scope, t *startedTask) (json.RawMessage, []activities.Command, error) {
	node := t.node
	var out activities.Output
	if err := t.future.Get(ctx, &out); err != nil {
		err, t.own = taskFailure(node.ID, err)
		r.taskFeedbackDone(ctx, t, err) // HITL: a feedback timeout left unhandled parks the task
		return nil, nil, err
	}
	t.own = false // a write that conflicts with the channel is final
	r.learn(node.Task, out.Fetched)
	if out.Suspended != nil {
		return nil, nil, r.suspended(ctx, s, t, out.Suspended) // HITL: wait for the answer, then run again
	}
	r.taskFeedbackDone(ctx, t, nil) // HITL
	if err := s.ch.Apply(out.Ops); err != nil {
		return nil, nil, &graflow.TaskError{TaskID: node.ID, Err: err}
	}
	if len(out.Value) == 0 {
		out.Value = json.RawMessage("null")
	}
	return out.Value, out.Commands, nil
}

// resolve computes a task's parameters: channel < upstream result < bound
// (a NextIteration's parameters over the node's own).
func (r *run) resolve(s *scope, node *NodeSpec, overlay map[string]json.RawMessage, opts graflow.TaskOptions) map[string]json.RawMessage {
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
// retried; the task's own errors come back non-retryable and awaitTask
// retries them itself.
func infrastructureRetries() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		MaximumAttempts: 1 + InfrastructureRetries}
}

func localActivityOptions(id string, o graflow.TaskOptions) workflow.LocalActivityOptions {
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

func activityOptions(id string, o graflow.TaskOptions) workflow.ActivityOptions {
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
