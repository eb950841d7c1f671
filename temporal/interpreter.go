package temporal

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/converter"
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

// Interpret is the interpreter workflow. It is registered as the worker's
// dynamic workflow, so any graflow workflow name is its type.
func Interpret(ctx workflow.Context, args converter.EncodedValues) (*RunOutput, error) {
	var in RunInput
	if err := args.Get(&in); err != nil {
		return nil, failures.Encode(fmt.Errorf("%w: undecodable run input: %v", graflow.ErrInvalidGraph, err), true)
	}
	r := newRun(ctx, &in.Spec)
	root := newScope("", r.newChannel(ctx, in.Channel, false), in.Spec.Start)
	r.scopes[""] = root
	if err := workflow.SetQueryHandler(ctx, activities.ChannelQuery, r.queryChannel); err != nil {
		return nil, err
	}
	if err := r.runScope(ctx, root); err != nil {
		return nil, failures.Encode(err, true)
	}
	out := &RunOutput{Value: root.last, Channel: root.ch.Entries()}
	if size := out.channelBytes(); size > activities.MaxPayloadBytes/2 {
		workflow.GetLogger(ctx).Warn("graflow: final channel too large for the result; omitted", "bytes", size)
		out.Channel, out.ChannelOmitted = nil, true
	}
	return out, nil
}

// run is the state of one interpreter execution.
type run struct {
	spec   *Spec
	g      *graph
	steps  int
	cycles map[string]int
	scopes map[string]*scope
	log    interface {
		Warn(string, ...any)
	}
}

func newRun(ctx workflow.Context, spec *Spec) *run {
	return &run{spec: spec, g: newGraph(spec), cycles: map[string]int{}, scopes: map[string]*scope{}, log: workflow.GetLogger(ctx)}
}

// newChannel returns a channel on workflow time; a branch's records its
// writes so that they can be replayed on its parent.
func (r *run) newChannel(ctx workflow.Context, entries map[string]graflow.ChannelEntry, branch bool) *graflow.Channel {
	return graflow.NewChannel(entries, graflow.ChannelOptions{Now: func() time.Time { return workflow.Now(ctx) }, Record: branch})
}

// runScope runs the scope's queue to the end, one node at a time.
func (r *run) runScope(ctx workflow.Context, s *scope) error {
	for len(s.queue) > 0 {
		if r.steps >= r.spec.MaxSteps {
			r.log.Warn("graflow: max steps reached, ending the run", "max_steps", r.spec.MaxSteps)
			return nil
		}
		id := s.queue[0]
		s.queue = s.queue[1:]
		s.running = id
		value, err := r.runNode(ctx, s, id)
		s.running = ""
		if err != nil {
			return err
		}
		s.last = value
		s.finished(r.g, id)
	}
	return nil
}

func (r *run) runNode(ctx workflow.Context, s *scope, id string) (json.RawMessage, error) {
	node := r.g.nodes[id]
	if node == nil {
		return nil, fmt.Errorf("%w: node %q is not in the graph", graflow.ErrInvalidGraph, id)
	}
	var value json.RawMessage
	var err error
	if node.Task == "" {
		value, err = r.runGroup(ctx, s, node)
	} else {
		value, err = r.runTask(ctx, s, node)
	}
	if err != nil {
		return nil, err
	}
	if err := s.ch.Apply([]graflow.ChannelOp{{Op: graflow.OpSet, Key: graflow.ResultKey(id), Value: value}}); err != nil {
		return nil, err
	}
	return value, nil
}

func (r *run) runTask(ctx workflow.Context, s *scope, node *NodeSpec) (json.RawMessage, error) {
	maxCycles := node.Options.MaxCycles
	if maxCycles <= 0 {
		maxCycles = graflow.DefaultMaxCycles
	}
	r.cycles[node.ID]++
	cycle := r.cycles[node.ID]
	if cycle > maxCycles {
		return nil, &graflow.CycleLimitError{TaskID: node.ID, Cycle: cycle, MaxCycles: maxCycles}
	}
	r.steps++
	in := activities.Input{Task: node.Task, TaskID: node.ID, Scope: s.id, Params: r.resolve(s, node), Cycle: cycle, MaxCycles: maxCycles, MaxRetries: node.Options.MaxRetries}
	for _, k := range node.Options.Reads {
		if e, ok := s.ch.Entry(k); ok {
			if in.Reads == nil {
				in.Reads = map[string]graflow.ChannelEntry{}
			}
			in.Reads[k] = e
		} else {
			in.Absent = append(in.Absent, k)
		}
	}
	if err := activities.CheckInput(&in); err != nil {
		return nil, &graflow.TaskError{TaskID: node.ID, Err: err}
	}
	var out activities.Output
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, activityOptions(node)), node.Task, in).Get(ctx, &out)
	if err != nil {
		return nil, taskFailure(node.ID, err)
	}
	if err := s.ch.Apply(out.Ops); err != nil {
		return nil, &graflow.TaskError{TaskID: node.ID, Err: err}
	}
	if len(out.Value) == 0 {
		out.Value = json.RawMessage("null")
	}
	return out.Value, nil
}

// resolve computes a task's parameters: channel < upstream result < bound.
func (r *run) resolve(s *scope, node *NodeSpec) map[string]json.RawMessage {
	params := map[string]json.RawMessage{}
	for _, k := range node.Inputs {
		if raw, ok := node.Params[k]; ok {
			params[k] = raw
			continue
		}
		if node.Options.NoChannelResolution {
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

func activityOptions(node *NodeSpec) workflow.ActivityOptions {
	o := node.Options
	timeout := cmp(o.Timeout, DefaultTaskTimeout)
	rp := temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		MaximumAttempts: int32(o.MaxRetries + 1 + InfrastructureRetries)}
	if p := o.RetryPolicy; p != nil {
		rp.InitialInterval = cmp(p.InitialInterval, rp.InitialInterval)
		if p.BackoffCoefficient >= 1 {
			rp.BackoffCoefficient = p.BackoffCoefficient
		}
		rp.MaximumInterval = max(cmp(p.MaximumInterval, rp.MaximumInterval), rp.InitialInterval)
	}
	return workflow.ActivityOptions{
		TaskQueue:           o.TaskQueue,
		StartToCloseTimeout: timeout,
		HeartbeatTimeout:    cmp(o.HeartbeatTimeout, DefaultHeartbeatTimeout),
		RetryPolicy:         &rp,
		Summary:             node.ID,
	}
}

// cmp returns d, or def when d is not positive.
func cmp(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// taskFailure turns an activity's failure into the task's typed error.
func taskFailure(id string, err error) error {
	decoded := failures.Decode(err)
	var te *graflow.TaskError
	if errors.As(decoded, &te) {
		return te
	}
	return &graflow.TaskError{TaskID: id, Err: decoded}
}

// runGroup runs every member as a concurrent branch with a snapshot of the
// channel, waits for all of them, applies the policy and replays the
// successful branches' writes in completion order.
func (r *run) runGroup(ctx workflow.Context, s *scope, node *NodeSpec) (json.RawMessage, error) {
	type outcome struct {
		member string
		branch *scope
		err    error
	}
	var done []outcome
	snapshot := s.ch.Entries()
	for _, m := range node.Members {
		b := newScope(branchScopeID(s.id, node.ID, m), r.newChannel(ctx, snapshot, true), m)
		r.scopes[b.id] = b
		workflow.Go(ctx, func(ctx workflow.Context) {
			err := r.runScope(ctx, b)
			delete(r.scopes, b.id)
			done = append(done, outcome{member: m, branch: b, err: err})
		})
	}
	if err := workflow.Await(ctx, func() bool { return len(done) == len(node.Members) }); err != nil {
		return nil, err
	}
	var failed []graflow.TaskFailure
	var succeeded []string
	for _, m := range node.Members {
		i := slices.IndexFunc(done, func(o outcome) bool { return o.member == m })
		if done[i].err != nil {
			failed = append(failed, graflow.TaskFailure{TaskID: m, Message: done[i].err.Error()})
		} else {
			succeeded = append(succeeded, m)
		}
	}
	policy := graflow.Strict().Spec()
	if node.Policy != nil {
		policy = *node.Policy
	}
	if err := policy.Decide(node.ID, failed, succeeded); err != nil {
		return nil, err
	}
	for _, o := range done {
		if o.err == nil {
			if err := s.ch.Apply(o.branch.ch.Ops()); err != nil {
				return nil, fmt.Errorf("graflow: merging branch %q of group %q: %w", o.member, node.ID, err)
			}
		}
	}
	return json.RawMessage("null"), nil
}

// queryChannel answers the runner's on-demand channel reads.
func (r *run) queryChannel(args activities.ChannelQueryArgs) (activities.ChannelQueryResult, error) {
	s := r.scopes[args.Scope]
	if s == nil {
		return activities.ChannelQueryResult{}, fmt.Errorf("graflow: no running scope %q", args.Scope)
	}
	if args.AllKeys {
		return activities.ChannelQueryResult{Keys: s.ch.Keys()}, nil
	}
	res := activities.ChannelQueryResult{Entries: map[string]graflow.ChannelEntry{}}
	for _, k := range args.Keys {
		if e, ok := s.ch.Entry(k); ok {
			res.Entries[k] = e
		}
	}
	return res, nil
}
