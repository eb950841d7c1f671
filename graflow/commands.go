package graflow

import (
	"fmt"
	"maps"
	"slices"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// NextTask queues n to run after this task, before this task's successors.
// A node whose id is already in the run's graph is a jump: it runs again and
// this task's successors are skipped. A group (or a chain holding one) runs
// each member as a branch of its own (a child workflow on Temporal). Every
// task n names must be registered with the worker: otherwise NextTask
// returns an error and records nothing.
func (c *TaskContext) NextTask(n Node) error { return c.addGraph(wire.CommandNext, n) }

// Goto runs n next and skips this task's successors.
func (c *TaskContext) Goto(n Node) error { return c.addGraph(wire.CommandGoto, n) }

func (c *TaskContext) addGraph(kind wire.CommandKind, n Node) error {
	sg, err := newSubgraph(n, c.registry)
	if err != nil {
		return fmt.Errorf("task %q: %s: %w", c.env.TaskID, kind, err)
	}
	c.record(core.Command{Kind: kind, Graph: sg})
	return nil
}

// NextIteration runs this task again with params bound (over its own bound
// parameters). Its successors run once, after the last iteration — the run
// that does not call NextIteration. A task runs at most MaxCycles times in a
// run; iterating past that fails the run with a *CycleLimitError. Unknown
// parameter keys are an error.
func (c *TaskContext) NextIteration(params Params) error {
	if c.registry != nil {
		if ti, ok := c.registry.lookup(c.env.Task); ok {
			for _, k := range slices.Sorted(maps.Keys(params)) {
				if !slices.Contains(ti.Params, k) {
					return fmt.Errorf("%w: task %q: NextIteration binds unknown parameter %q (parameters: %v)", ErrInvalidGraph, c.env.TaskID, k, ti.Params)
				}
			}
		}
	}
	c.record(core.Command{Kind: wire.CommandIterate, Params: maps.Clone(params)})
	return nil
}

// TerminateWorkflow ends the whole run successfully once this task returns:
// queued tasks never run, and the run's value is result (or this task's own
// value when result is nil). It acts on the whole run, also from a parallel
// branch.
func (c *TaskContext) TerminateWorkflow(result any) {
	c.record(core.Command{Kind: wire.CommandTerminate, Result: result, HasResult: result != nil})
}

// CancelWorkflow fails the whole run with a *WorkflowCanceledError once this
// task returns, also from a parallel branch.
func (c *TaskContext) CancelWorkflow(reason string) {
	c.record(core.Command{Kind: wire.CommandCancel, Reason: reason})
}

// Checkpoint records a point to resume the run from, taken once this task
// has returned without error and its successors are queued (Graflow's
// deferred checkpoint). Several calls in one task make one checkpoint with
// the last metadata. On Temporal a checkpoint is a reset point of the run's
// history: temporal.CheckpointManager resumes a failed run from it, and the
// tasks before it do not run again.
func (c *TaskContext) Checkpoint(metadata map[string]any) {
	c.record(core.Command{Kind: wire.CommandCheckpoint, Metadata: maps.Clone(metadata)})
}

// recorded returns the commands recorded so far.
func (c *TaskContext) recorded() []core.Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.commands)
}

func (c *TaskContext) record(cmd core.Command) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commands = append(c.commands, cmd)
}
