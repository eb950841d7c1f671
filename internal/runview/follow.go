package runview

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/internal/flowgraph"
)

// MaxFollowedChildren bounds the child runs whose histories Follow reads
// besides the run's own (a dynamic group's branches run in child runs; a
// wide group runs them in batches of hundreds, so a few children cover
// thousands of branches). Later children are seen from the run's history
// only: started, then done or failed.
const MaxFollowedChildren = 64

// Change is a task whose state changed.
type Change struct {
	TaskID string
	Task   string
	From   flowgraph.State
	To     flowgraph.State
	// Duration is the task's latest run's, when it closed.
	Duration time.Duration
	Error    string
}

// Progress is a run's tasks by state, for a progress line.
type Progress struct {
	// Total counts the task nodes known so far (the graph grows as tasks
	// add nodes), dynamic groups' branches included.
	Total int
	// Counts are the tasks per state.
	Counts map[flowgraph.State]int
	// Active are the tasks scheduled, running, retrying or waiting.
	Active []string
	Start  time.Time
}

// event is one history event of the run (child == "") or of a child run.
type event struct {
	child string
	ev    *historypb.HistoryEvent
	err   error
	// closed says the history is complete.
	closed bool
}

// Follow reads run workflowID/runID ("" = the latest) as its history is
// written, by long poll (nothing is added to the run), together with the
// histories of its first MaxFollowedChildren child runs, so that branches
// running in children show as they go. After each event it calls fn with
// the tasks that changed state and the run's progress. It follows
// continue-as-new and returns when the run closes or ctx ends.
func Follow(ctx context.Context, c client.Client, workflowID, runID string, dc converter.DataConverter, fn func([]Change, Progress)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan event)
	read := func(child, id, runID string) {
		it := c.GetWorkflowHistory(ctx, id, runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			select {
			case events <- event{child: child, ev: ev, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
		select {
		case events <- event{child: child, closed: true}:
		case <-ctx.Done():
		}
	}
	prev := map[string]flowgraph.State{}
	r := newReader(dc)
	r.run.WorkflowID = workflowID
	children := map[string]*reader{}
	go read("", workflowID, runID)
	for {
		var e event
		select {
		case e = <-events:
		case <-ctx.Done():
			return ctx.Err()
		}
		if e.err != nil {
			if e.child != "" {
				continue // the child's branches show when it closes
			}
			return fmt.Errorf("following %s: %w", workflowID, e.err)
		}
		if e.closed {
			if e.child != "" {
				continue
			}
			if r.run.ContinuedAs == "" {
				return nil
			}
			next := r.run.ContinuedAs
			r = newReader(dc)
			r.run.WorkflowID = workflowID
			clear(children)
			go read("", workflowID, next)
			continue
		}
		if e.child != "" {
			cr := children[e.child]
			if cr == nil || cr.Apply(e.ev) != nil {
				continue // a child of the run before continue-as-new, or an event it cannot read
			}
			r.fromChild(cr)
		} else {
			if err := r.Apply(e.ev); err != nil {
				return err
			}
			if a := e.ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil && len(children) < MaxFollowedChildren {
				id := a.GetWorkflowExecution().GetWorkflowId()
				children[id] = newReader(dc)
				children[id].run.WorkflowID = id
				go read(id, id, a.GetWorkflowExecution().GetRunId())
			}
			if !changesTasks(e.ev.GetEventType()) {
				continue
			}
		}
		fn(diff(r.Run(), r.fromChildren, prev))
	}
}

// fromChild takes in the states of the tasks a child run has run so far.
func (r *reader) fromChild(child *reader) {
	if r.fromChildren == nil {
		r.fromChildren = map[string]Task{}
	}
	for id, t := range child.tasks {
		r.fromChildren[id] = *t
	}
}

// changesTasks reports whether an event of type t may change a task's state.
func changesTasks(t enumspb.EventType) bool {
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
		enumspb.EVENT_TYPE_TIMER_STARTED:
		return false
	}
	return true
}

// diff returns the task nodes whose state differs from prev (and records
// them there) and the run's progress. A node the run's history knows only
// as started takes the state a child run's history gives it.
func diff(run *Run, fromChildren map[string]Task, prev map[string]flowgraph.State) ([]Change, Progress) {
	p := Progress{Counts: map[flowgraph.State]int{}, Start: run.Start}
	tasks := make(map[string]*Task, len(run.Tasks))
	for i := range run.Tasks {
		tasks[run.Tasks[i].ID] = &run.Tasks[i]
	}
	var changes []Change
	for _, n := range run.Graph.Nodes {
		if n.Task == "" {
			continue
		}
		state := n.State
		t := tasks[n.ID]
		if ct, ok := fromChildren[n.ID]; ok && (state == flowgraph.Scheduled || state == flowgraph.Running) {
			state, t = ct.State, &ct
		}
		p.Total++
		p.Counts[state]++
		switch state {
		case flowgraph.Scheduled, flowgraph.Running, flowgraph.Retrying, flowgraph.Waiting:
			p.Active = append(p.Active, n.ID)
		}
		if old, seen := prev[n.ID]; seen && old == state || !seen && state == flowgraph.NotReached {
			continue
		}
		ch := Change{TaskID: n.ID, Task: n.Task, From: prev[n.ID], To: state}
		if t != nil {
			ch.Duration, ch.Error = t.Duration, t.Error
		}
		prev[n.ID] = state
		changes = append(changes, ch)
	}
	return changes, p
}
