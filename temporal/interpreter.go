package temporal

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
)

// Interpret is the interpreter workflow of a worker that knows no workflow
// by name: it runs inputs compiled by the Runner (see interpreter.interpret).
func Interpret(ctx workflow.Context, args converter.EncodedValues) (*wire.RunOutput, error) {
	return interpreter{}.interpret(ctx, args)
}

// interpreter is the workflow a worker registers: the workflows it runs
// when they are started by name, and its worker's choices.
type interpreter struct {
	byName byName
	// upgradeOnContinueAsNew moves a run to its deployment's current build
	// when it continues as new (WorkerOptions.UpgradeOnContinueAsNew).
	upgradeOnContinueAsNew bool
}

// interpret is the interpreter workflow. It is registered as the worker's
// dynamic workflow, so any graflow workflow name is its type; a start by
// name runs the worker's definition of that name (byname.go). The same
// function runs child workflows (branches of dynamic groups) and continues
// as new, carrying its whole state, when Temporal suggests it.
func (i interpreter) interpret(ctx workflow.Context, args converter.EncodedValues) (*wire.RunOutput, error) {
	inp, err := i.byName.runInput(ctx, args)
	if err != nil {
		return nil, failures.Encode(err, true)
	}
	in := *inp
	r := newRun(ctx, &in)
	r.upgradeOnContinueAsNew = i.upgradeOnContinueAsNew
	r.version = interpreterVersion(ctx, &in)
	r.limits = limitsByVersion[r.version]
	if err := workflow.SetQueryHandler(ctx, wire.ChannelQuery, r.queryChannel); err != nil {
		return nil, err
	}
	if err := workflow.SetQueryHandler(ctx, CheckpointsQuery, func() ([]wire.Checkpoint, error) { return r.checkpoints, nil }); err != nil {
		return nil, err
	}
	// HITL: the feedback Update, Signal and Query (feedback.go).
	if err := r.registerFeedback(ctx, &in); err != nil {
		return nil, err
	}
	if in.Child != nil && len(in.Child.Members) > 1 {
		return r.runBatch(ctx, &in)
	}
	out, err := r.runRoot(ctx, &in)
	switch {
	case err == nil, workflow.IsContinueAsNewError(err):
	case ctx.Err() != nil || temporal.IsCanceledError(err):
		// The run was cancelled (e.g. from the Web UI): end as Canceled.
		err = temporal.NewCanceledError()
	default:
		err = failures.Encode(err, true)
	}
	return out, err
}

// run is the state of one interpreter execution.
type run struct {
	spec     *wire.Spec
	g        *graph
	steps    int
	cycles   map[string]int
	nextAuto int
	scopes   map[string]*scope
	// stop is set by a terminate or cancel anywhere in the run: every scope
	// then stops at once.
	stop *runStop
	// stopped is ready once stop is set.
	stopped    workflow.Future
	setStopped workflow.Settable
	// checkpoints are the run's checkpoints so far (graflow.checkpoints).
	checkpoints []wire.Checkpoint
	log         log.Logger
	// fb holds the run's feedback requests (HITL, feedback.go).
	fb *feedback
	// children are the running dynamic child runs by workflow id.
	children map[string]workflow.ChildWorkflowFuture
	// learned are, per task name, the channel keys its runs read on demand
	// (view.go).
	learned map[string][]string
	// historySeen is the history length at the current workflow task's
	// start, and localSince the local tasks scheduled since (continueAsNewDue).
	historySeen, localSince int
	// version is the interpreter version the run behaves as, limits the
	// history limits of that version (version.go).
	version workflow.Version
	limits  historyLimits
	// unserved are the tasks waiting for a worker that has them, with why
	// (task.go, awaitWorker).
	unserved map[string]string
	// upgradeOnContinueAsNew: see interpreter.
	upgradeOnContinueAsNew bool
}

func newRun(ctx workflow.Context, in *wire.RunInput) *run {
	r := &run{spec: &in.Spec, g: newGraph(&in.Spec), cycles: map[string]int{}, scopes: map[string]*scope{}, children: map[string]workflow.ChildWorkflowFuture{}, log: workflow.GetLogger(ctx)}
	r.stopped, r.setStopped = workflow.NewFuture(ctx)
	r.learned = map[string][]string{}
	if in.Child != nil {
		if in.Child.Cycles != nil {
			r.cycles = maps.Clone(in.Child.Cycles)
		}
		maps.Copy(r.learned, in.Child.Learned)
	}
	if st := in.Resume; st != nil {
		r.steps, r.nextAuto, r.checkpoints = st.Steps, st.NextAuto, st.Checkpoints
		if st.Cycles != nil {
			r.cycles = st.Cycles
		}
		maps.Copy(r.learned, st.Learned)
	}
	return r
}

// newChannel returns a channel on workflow time; a branch's records its
// writes so that they can be replayed on its parent.
func (r *run) newChannel(ctx workflow.Context, entries map[string]wire.ChannelEntry, record bool) *graflow.Channel {
	return engine.NewChannel(entries, engine.ChannelOptions{Now: func() time.Time { return workflow.Now(ctx) }, Record: record})
}

// runRoot runs the run's own scope: the whole workflow, or the one branch
// of a child run.
func (r *run) runRoot(ctx workflow.Context, in *wire.RunInput) (*wire.RunOutput, error) {
	start := in.Spec.Start
	child := in.Child != nil
	if child {
		start = in.Child.Members[0]
	}
	root := newScope("", r.newChannel(ctx, in.Channel, child), start)
	if child {
		root.closure = r.g.closure(start)
	}
	if in.Resume != nil {
		root.restore(in.Resume)
		if child {
			if err := engine.ApplyOps(root.ch, in.Resume.Ops()); err != nil {
				return nil, err
			}
		}
	}
	r.scopes[""] = root
	r.drive(ctx, []*scope{root}, nil)
	switch {
	case r.stop != nil && r.stop.cancel != nil:
		return nil, r.stop.cancel
	case r.stop != nil && child:
		return &wire.RunOutput{Terminated: &wire.Termination{TaskID: r.stop.taskID, Value: r.stop.value, Ops: r.stop.ops}}, nil
	case r.stop != nil:
		if err := engine.ApplyOps(root.ch, r.stop.ops); err != nil {
			return nil, err
		}
		root.last = r.stop.value
	case root.end == scopeContinuesAsNew:
		return nil, r.continueAsNew(ctx, in, root)
	case root.end == scopeFailed:
		return nil, root.err
	}
	if child {
		return r.childOutput(in, &wire.RunOutput{Value: root.last, Branches: []wire.BranchOutcome{{Member: start, Ops: engine.RecordedOps(root.ch), Escaped: root.escaped}}}), nil
	}
	out := &wire.RunOutput{Value: root.last, Channel: engine.Entries(root.ch)}
	if size := channelBytes(out); size > activities.MaxPayloadBytes/2 {
		r.log.Warn("graflow: final channel too large for the result; omitted", "bytes", size)
		out.Channel, out.ChannelOmitted = nil, true
	}
	return out, nil
}

// childOutput adds to a child's output the runs of each task it made (over
// the counts it started from), for the parent to add to its own, so that
// WithMaxCycles holds across children. Steps (WithMaxSteps) are counted per
// workflow execution, as Graflow counts them per branch context.
func (r *run) childOutput(in *wire.RunInput, out *wire.RunOutput) *wire.RunOutput {
	for _, id := range slices.Sorted(maps.Keys(r.cycles)) {
		if d := r.cycles[id] - in.Child.Cycles[id]; d > 0 {
			if out.Cycles == nil {
				out.Cycles = map[string]int{}
			}
			out.Cycles[id] = d
		}
	}
	return out
}

// continueAsNewDue reports whether the root should continue as new before
// its next node: Temporal suggests it, or the local tasks run since the
// current workflow task started (one marker event each) take the history
// past its limits.localCANEvents (many local tasks finish within one
// workflow task, whose start is the only time Temporal updates its
// suggestion).
func (r *run) continueAsNewDue(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	if info.GetContinueAsNewSuggested() {
		return true
	}
	if h := info.GetCurrentHistoryLength(); h != r.historySeen {
		r.historySeen, r.localSince = h, 0
	}
	return r.localSince > 0 && r.historySeen+r.localSince > r.limits.localCANEvents
}

// halt makes st the stop of the whole run (the first one wins), taken by
// a task in scope, and wakes every wait on r.stopped. A terminate takes
// along the writes of the scopes it ends (runStop.ops).
func (r *run) halt(st *runStop, scope string) {
	if r.stop != nil {
		return
	}
	if st.cancel == nil {
		var ops []wire.ChannelOp
		for _, id := range slices.SortedFunc(maps.Keys(r.scopes), func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) }) {
			if id == "" || id == scope || strings.HasPrefix(scope, id+"/") {
				ops = append(ops, engine.RecordedOps(r.scopes[id].ch)...)
			}
		}
		st.ops = append(ops, st.ops...)
	}
	r.stop = st
	r.setStopped.Set(nil, nil)
}

// settle stores a finished node's result, applies its commands and queues
// what comes next: its successors, unless a goto, a jump or another
// iteration holds them back.
func (r *run) settle(ctx workflow.Context, s *scope, item wire.Queued, value json.RawMessage, cmds []wire.Command) error {
	if err := engine.ApplyOps(s.ch, []wire.ChannelOp{{Op: wire.OpSet, Key: graflow.ResultKey(item.ID), Value: value}}); err != nil {
		return err
	}
	skip, err := r.apply(s, r.g.nodes[item.ID], value, cmds)
	if err != nil || r.stop != nil {
		return err
	}
	s.last = value
	if skip {
		s.release(r.g)
	} else {
		s.finished(r.g, item.ID)
	}
	return r.checkpoint(ctx, item.ID, cmds)
}

// continueAsNew ends this run and starts the next one with the whole state.
func (r *run) continueAsNew(ctx workflow.Context, in *wire.RunInput, root *scope) error {
	st := &wire.RunState{Cycles: r.cycles, Steps: r.steps, NextAuto: r.nextAuto, Checkpoints: r.checkpoints, Learned: r.learned, Interpreter: int(r.version)}
	root.state(st)
	// HITL: take in delivered signals, let handlers finish, carry requests and answers.
	if err := r.feedbackBeforeContinue(ctx, st); err != nil {
		return err
	}
	next := wire.RunInput{Spec: *r.spec, Channel: in.Channel, Child: in.Child, Resume: st}
	if in.Child != nil {
		// The channel restarts from the parent's snapshot; its recorded
		// writes (those carried in already included) are replayed on it.
		st.ChildOps = engine.RecordedOps(root.ch)
	} else {
		next.Channel = engine.Entries(root.ch)
	}
	if err := checkRunInput("the state carried to the next run (continue-as-new)", &next); err != nil {
		return err
	}
	var opts workflow.ContinueAsNewErrorOptions
	if r.upgradeOnContinueAsNew {
		// The next run starts on the deployment's current build, not
		// pinned to this one (Worker Versioning).
		opts.InitialVersioningBehavior = workflow.ContinueAsNewVersioningBehaviorAutoUpgrade
	}
	return workflow.NewContinueAsNewErrorWithOptions(ctx, opts, workflow.GetInfo(ctx).WorkflowType.Name, next)
}
