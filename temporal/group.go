package temporal

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
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
// this workflow; dynamic and very wide groups in child workflows. When the
// run stops meanwhile, it returns at once (the driver sees run.stop).
func (r *run) runGroup(ctx workflow.Context, s *scope, node *wire.NodeSpec) (json.RawMessage, error) {
	var outcomes []wire.BranchOutcome
	var err error
	if node.Dynamic || len(node.Members) > r.limits.inlineBranches {
		outcomes, err = r.runChildren(ctx, s, node)
	} else {
		outcomes = r.runBranches(ctx, s.id, node.ID, node.Members, engine.Entries(s.ch))
	}
	if err != nil || r.stop != nil {
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
	policy := wire.Policy{Type: "strict"}
	if node.Policy != nil {
		policy = *node.Policy
	}
	if err := engine.Decide(policy, node.ID, failed, succeeded); err != nil {
		return nil, err
	}
	for _, o := range outcomes {
		if o.Error == "" {
			if err := engine.ApplyOps(s.ch, o.Ops); err != nil {
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
// of its own starting from snapshot, all on one driver, and returns their
// outcomes in completion order (nil when the run stopped).
func (r *run) runBranches(ctx workflow.Context, parent, group string, members []string, snapshot map[string]wire.ChannelEntry) []wire.BranchOutcome {
	branches := make([]*scope, len(members))
	for i, m := range members {
		b := newScope(branchScopeID(parent, group, m), r.newChannel(ctx, snapshot, true), m)
		b.closure = r.g.closure(m)
		r.scopes[b.id] = b
		branches[i] = b
	}
	var done []wire.BranchOutcome
	r.drive(ctx, branches, func(b *scope) {
		delete(r.scopes, b.id)
		o := wire.BranchOutcome{Member: b.start, Ops: engine.RecordedOps(b.ch), Escaped: b.escaped}
		if b.err != nil {
			o = wire.BranchOutcome{Member: b.start, Error: b.err.Error()}
		}
		done = append(done, o)
	})
	if r.stop != nil {
		return nil
	}
	return done
}

// runChildren runs the branches of node in child workflows: one per member
// for narrow groups, batches of BranchesPerBatch otherwise. Outcomes are
// gathered in completion order.
func (r *run) runChildren(ctx workflow.Context, s *scope, node *wire.NodeSpec) ([]wire.BranchOutcome, error) {
	size := 1
	if len(node.Members) > r.limits.childPerBranch {
		size = r.limits.branchesPerBatch
	}
	info := workflow.GetInfo(ctx)
	snapshot := engine.Entries(s.ch)
	var done []wire.BranchOutcome
	pending := 0
	for i := 0; i < len(node.Members); i += size {
		members := node.Members[i:min(i+size, len(node.Members))]
		id := childID(info.WorkflowExecution.ID, s.id, node.ID, members, i/size+1)
		summary := fmt.Sprintf("branch %s of group %s", members[0], node.ID)
		if len(members) > 1 {
			summary = fmt.Sprintf("branches %s..%s (%d) of group %s", members[0], members[len(members)-1], len(members), node.ID)
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: id, StaticSummary: summary})
		child := &wire.ChildInput{Group: node.ID, Members: members, Cycles: r.cycles, Learned: r.learned, Interpreter: int(r.version)}
		child.Early, child.Forward = r.fb.takeChildAnswers(id)
		in := wire.RunInput{Spec: r.g.subSpec(r.spec, members), Channel: snapshot, Child: child}
		if err := checkRunInput("the input of child "+id, &in); err != nil {
			return nil, err
		}
		f := workflow.ExecuteChildWorkflow(cctx, info.WorkflowType.Name, in)
		r.children[id] = f
		pending++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { pending--; delete(r.children, id) }()
			var out wire.RunOutput
			err := f.Get(ctx, &out)
			switch {
			case err != nil:
				decoded := failures.Decode(err)
				if cancel := (*graflow.WorkflowCanceledError)(nil); errors.As(decoded, &cancel) {
					r.halt(&runStop{taskID: cancel.TaskID, cancel: cancel}, s.id)
				}
				for _, m := range members {
					done = append(done, wire.BranchOutcome{Member: m, Error: decoded.Error()})
				}
			case out.Terminated != nil:
				r.halt(&runStop{taskID: out.Terminated.TaskID, value: out.Terminated.Value, ops: out.Terminated.Ops}, s.id)
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
	return done, nil
}

// runBatch is a child run of several branches: it runs them in this
// workflow and returns their outcomes for the parent to judge.
func (r *run) runBatch(ctx workflow.Context, in *wire.RunInput) (*wire.RunOutput, error) {
	outcomes := r.runBranches(ctx, "", in.Child.Group, in.Child.Members, in.Channel)
	switch {
	case r.stop != nil && r.stop.cancel != nil:
		return nil, failures.Encode(r.stop.cancel, true)
	case r.stop != nil:
		return &wire.RunOutput{Terminated: &wire.Termination{TaskID: r.stop.taskID, Value: r.stop.value, Ops: r.stop.ops}}, nil
	}
	return r.childOutput(in, &wire.RunOutput{Value: json.RawMessage("null"), Branches: outcomes}), nil
}
