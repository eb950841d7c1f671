package temporal

import (
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// scopeEnd is why a scope stopped running its queue (zero: it still runs).
type scopeEnd int

const (
	// scopeFinished: the queue is empty, or the run reached its step limit.
	scopeFinished scopeEnd = iota + 1
	// scopeContinuesAsNew: the root hands its state to a new run first.
	scopeContinuesAsNew
	// scopeFailed: a node failed (scope.err).
	scopeFailed
)

// driver runs scopes side by side on one selector: each scope runs one
// node at a time — a task through its lifecycle (taskState), a group in a
// coroutine of its own — and the driver waits for whichever node is ready
// first. The run's root is one scope driven alone; a group's branches are
// driven together, so that a wide group of tasks needs no coroutine per
// branch (every coroutine is resumed on every workflow task).
type driver struct {
	r      *run
	sel    workflow.Selector
	active int
	// ended is called once for each scope when it ends (scope.end).
	ended func(*scope)
}

// drive runs scopes to their ends; it returns early, with the scopes still
// running, when the run stops (run.stop).
func (r *run) drive(ctx workflow.Context, scopes []*scope, ended func(*scope)) {
	d := &driver{r: r, sel: workflow.NewSelector(ctx), ended: ended}
	d.sel.AddFuture(r.stopped, func(workflow.Future) {})
	for _, s := range scopes {
		d.next(ctx, s)
	}
	for d.active > 0 && r.stop == nil {
		r.showProgress(ctx)
		d.sel.Select(ctx)
	}
	r.showProgress(ctx)
}

// next starts the scope's next node, or ends the scope: when its queue is
// empty, past the step limit, or when the root should continue as new
// first.
func (d *driver) next(ctx workflow.Context, s *scope) {
	r := d.r
	switch {
	case r.stop != nil:
		return
	case len(s.queue) == 0:
		d.end(s, scopeFinished, nil)
		return
	case s.id == "" && r.continueAsNewDue(ctx):
		d.end(s, scopeContinuesAsNew, nil)
		return
	case r.steps >= r.spec.MaxSteps:
		r.log.Warn("graflow: max steps reached, ending the run", "max_steps", r.spec.MaxSteps)
		d.end(s, scopeFinished, nil)
		return
	}
	item := s.queue[0]
	s.queue = s.queue[1:]
	s.running = item.ID
	node := r.g.nodes[item.ID]
	switch {
	case node == nil:
		d.end(s, scopeFailed, fmt.Errorf("%w: node %q is not in the graph", graflow.ErrInvalidGraph, item.ID))
	case node.Task == "":
		d.runGroup(ctx, s, item, node)
	default:
		t, err := r.startTask(ctx, s, node, item.Params)
		if err != nil {
			d.end(s, scopeFailed, err)
			return
		}
		d.watchTask(ctx, s, item, t)
	}
}

// watchTask advances t each time what it waits for is ready, and settles
// it once it is done.
func (d *driver) watchTask(ctx workflow.Context, s *scope, item wire.Queued, t *taskRun) {
	d.watch(t.pending, func() {
		d.r.advance(ctx, s, t)
		switch t.state {
		case taskDone:
			d.settle(ctx, s, item, t.value, t.cmds)
		case taskFailed:
			d.end(s, scopeFailed, t.err)
		default:
			d.watchTask(ctx, s, item, t)
		}
	})
}

// runGroup runs a group node of s in a coroutine and settles it once the
// group is over.
func (d *driver) runGroup(ctx workflow.Context, s *scope, item wire.Queued, node *wire.NodeSpec) {
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		set.Set(d.r.runGroup(ctx, s, node))
	})
	d.watch(f, func() {
		var value json.RawMessage
		if err := f.Get(ctx, &value); err != nil {
			d.end(s, scopeFailed, err)
			return
		}
		d.settle(ctx, s, item, value, nil)
	})
}

// watch calls then once f is ready, unless the run has stopped by then.
func (d *driver) watch(f workflow.Future, then func()) {
	d.active++
	d.sel.AddFuture(f, func(workflow.Future) {
		d.active--
		if d.r.stop == nil {
			then()
		}
	})
}

// settle takes in a finished node and goes on with the scope.
func (d *driver) settle(ctx workflow.Context, s *scope, item wire.Queued, value json.RawMessage, cmds []wire.Command) {
	s.running = ""
	if err := d.r.settle(ctx, s, item, value, cmds); err != nil {
		d.end(s, scopeFailed, err)
		return
	}
	d.next(ctx, s)
}

func (d *driver) end(s *scope, end scopeEnd, err error) {
	s.running, s.end, s.err = "", end, err
	if d.ended != nil {
		d.ended(s)
	}
}
