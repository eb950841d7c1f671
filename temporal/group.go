package temporal

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
)

// Limits of how a group's branches are spread over workflow executions.
const (
	// MaxInlineBranches is the widest static group run inside the run's own
	// history; wider ones run in batch children like dynamic groups.
	MaxInlineBranches = 500
	// MaxChildPerBranch is the widest dynamic group whose branches each get
	// a child workflow of their own (<parent-id>/<group>/<member>).
	MaxChildPerBranch = 50
	// BranchesPerBatch is how many branches of a wider group one batch child
	// (<parent-id>/<group>/batch-<n>) runs, so that no history grows past
	// about 12,000 events and no run has 2,000 pending activities.
	BranchesPerBatch = 500
)

// runGroup runs every member as a branch with a snapshot of the channel,
// waits for all of them, applies the policy and replays the successful
// branches' writes in completion order. Static groups run their branches in
// this workflow; dynamic and very wide groups in child workflows.
func (r *run) runGroup(ctx workflow.Context, s *scope, node *NodeSpec) (json.RawMessage, error) {
	var outcomes []BranchOutcome
	var err error
	if node.Dynamic || len(node.Members) > MaxInlineBranches {
		outcomes, err = r.runChildren(ctx, s, node)
	} else {
		outcomes, err = r.runBranches(ctx, s.id, node.ID, node.Members, s.ch.Entries())
	}
	if err != nil {
		return nil, err
	}
	var failed []graflow.TaskFailure
	var succeeded []string
	index := make(map[string]int, len(outcomes))
	for i, o := range outcomes {
		index[o.Member] = i
	}
	for _, m := range node.Members {
		i, ok := index[m]
		if !ok {
			i = -1
		}
		if i < 0 || outcomes[i].Error != "" {
			msg := "branch did not finish"
			if i >= 0 {
				msg = outcomes[i].Error
			}
			failed = append(failed, graflow.TaskFailure{TaskID: m, Message: msg})
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
	for _, o := range outcomes {
		if o.Error == "" {
			if err := s.ch.Apply(o.Ops); err != nil {
				return nil, fmt.Errorf("graflow: merging branch %q of group %q: %w", o.Member, node.ID, err)
			}
			for _, e := range o.Escaped {
				s.arrive(e[0], e[1])
			}
		}
	}
	return json.RawMessage("null"), nil
}

// runBranches runs members concurrently in this workflow, each in a scope
// of its own starting from snapshot, and returns their outcomes in
// completion order. A terminate or cancel in any branch is returned at once.
//
// A branch that starts with a task is started right here and its activity
// awaited through one selector; only a branch that goes on after its first
// node (successors, NextTask, iterations) gets a coroutine. Every coroutine
// is resumed on every workflow task, so wide groups of single tasks stay
// cheap this way.
func (r *run) runBranches(ctx workflow.Context, parent, group string, members []string, snapshot map[string]graflow.ChannelEntry) ([]BranchOutcome, error) {
	var done []BranchOutcome
	finish := func(b *scope, member string, err error) {
		delete(r.scopes, b.id)
		var term *terminated
		if errors.As(err, &term) && term.passes(b.id) {
			term.ops = append(b.ch.Ops(), term.ops...)
		}
		o := BranchOutcome{Member: member, Ops: b.ch.Ops(), Escaped: b.escaped}
		if err != nil {
			o = BranchOutcome{Member: member, Error: err.Error()}
		}
		done = append(done, o)
	}
	goOn := func(b *scope, member string) {
		if len(b.queue) == 0 {
			finish(b, member, nil)
			return
		}
		workflow.Go(ctx, func(ctx workflow.Context) { finish(b, member, r.runScope(ctx, b)) })
	}
	sel := workflow.NewSelector(ctx)
	waiting := 0
	for _, m := range members {
		b := newScope(branchScopeID(parent, group, m), r.newChannel(ctx, snapshot, true), m)
		b.closure = r.g.closure(m)
		r.scopes[b.id] = b
		node := r.g.nodes[m]
		if node == nil || node.Task == "" {
			goOn(b, m)
			continue
		}
		if more, err := r.mayContinue(ctx, b); !more || err != nil {
			finish(b, m, err)
			continue
		}
		item := b.queue[0]
		b.queue, b.running = b.queue[1:], m
		t, err := r.startTask(ctx, b, node, nil)
		if err != nil {
			finish(b, m, r.fail(err))
			continue
		}
		waiting++
		settle := func(value json.RawMessage, cmds []activities.Command, err error) {
			b.running = ""
			if err == nil {
				err = r.settle(ctx, b, item, value, cmds)
			}
			if err != nil {
				finish(b, m, r.fail(err))
				return
			}
			goOn(b, m)
		}
		sel.AddFuture(t.future, func(workflow.Future) {
			waiting--
			value, cmds, err := r.finishTask(ctx, b, t)
			if err != nil && t.retryable(err) {
				workflow.Go(ctx, func(ctx workflow.Context) {
					if err := r.retryLater(ctx, t); err != nil {
						settle(nil, nil, err)
						return
					}
					settle(r.awaitTask(ctx, b, t))
				})
				return
			}
			settle(value, cmds, err)
		})
	}
	if waiting > 0 {
		sel.AddFuture(r.stopped, func(workflow.Future) {}) // a stop ends the wait at once
	}
	for waiting > 0 && r.stop == nil {
		sel.Select(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return len(done) == len(members) || r.stop != nil }); err != nil {
		return nil, err
	}
	if r.stop != nil {
		return nil, r.stop
	}
	return done, nil
}

// runChildren runs the branches of node in child workflows: one per member
// for narrow groups, batches of BranchesPerBatch otherwise. Outcomes are
// gathered in completion order.
func (r *run) runChildren(ctx workflow.Context, s *scope, node *NodeSpec) ([]BranchOutcome, error) {
	size := 1
	if len(node.Members) > MaxChildPerBranch {
		size = BranchesPerBatch
	}
	info := workflow.GetInfo(ctx)
	snapshot := s.ch.Entries()
	var done []BranchOutcome
	pending := 0
	for i := 0; i < len(node.Members); i += size {
		members := node.Members[i:min(i+size, len(node.Members))]
		id := childID(info.WorkflowExecution.ID, s.id, node.ID, members, i/size+1)
		summary := fmt.Sprintf("branch %s of group %s", members[0], node.ID)
		if len(members) > 1 {
			summary = fmt.Sprintf("branches %s..%s (%d) of group %s", members[0], members[len(members)-1], len(members), node.ID)
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: id, StaticSummary: summary})
		in := RunInput{Spec: r.g.subSpec(r.spec, members), Channel: snapshot, Child: &ChildInput{Group: node.ID, Members: members, Cycles: r.cycles, Learned: r.learned}}
		if err := checkRunInput("the input of child "+id, &in); err != nil {
			return nil, err
		}
		f := workflow.ExecuteChildWorkflow(cctx, info.WorkflowType.Name, in)
		pending++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { pending-- }()
			var out RunOutput
			err := f.Get(ctx, &out)
			switch {
			case err != nil:
				decoded := failures.Decode(err)
				if isStop(decoded) {
					r.halt(decoded)
				}
				for _, m := range members {
					done = append(done, BranchOutcome{Member: m, Error: decoded.Error()})
				}
			case out.Terminated != nil:
				r.halt(&terminated{taskID: out.Terminated.TaskID, value: out.Terminated.Value, scope: s.id, ops: out.Terminated.Ops})
			default:
				done = append(done, out.Branches...)
				for _, id := range slices.Sorted(maps.Keys(out.Cycles)) {
					r.cycles[id] += out.Cycles[id]
				}
			}
		})
	}
	if err := workflow.Await(ctx, func() bool { return pending == 0 || r.stop != nil }); err != nil {
		return nil, err
	}
	if r.stop != nil {
		return nil, r.stop
	}
	return done, nil
}

// runBatch is a child run of several branches: it runs them in this
// workflow and returns their outcomes for the parent to judge.
func (r *run) runBatch(ctx workflow.Context, in *RunInput) (*RunOutput, error) {
	outcomes, err := r.runBranches(ctx, "", in.Child.Group, in.Child.Members, in.Channel)
	var term *terminated
	switch {
	case errors.As(err, &term):
		return &RunOutput{Terminated: &Termination{TaskID: term.taskID, Value: term.value, Ops: term.ops}}, nil
	case err != nil:
		return nil, failures.Encode(err, true)
	}
	return r.childOutput(in, &RunOutput{Value: json.RawMessage("null"), Branches: outcomes}), nil
}
