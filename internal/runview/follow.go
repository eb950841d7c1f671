package runview

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/internal/flowgraph"
)

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

// Follow reads run workflowID/runID ("" = the latest) as its history is
// written, by long poll (nothing is added to the run), and calls fn after
// each batch of events with the tasks that changed state and the run's
// progress. It follows continue-as-new and returns when the run closes or
// ctx ends.
func Follow(ctx context.Context, c client.Client, workflowID, runID string, dc converter.DataConverter, fn func([]Change, Progress)) error {
	prev := map[string]flowgraph.State{}
	for {
		r := newReader(dc)
		r.run.WorkflowID = workflowID
		it := c.GetWorkflowHistory(ctx, workflowID, runID, true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("following %s: %w", workflowID, err)
			}
			if err := r.Apply(ev); err != nil {
				return err
			}
			if changesTasks(ev.GetEventType()) {
				fn(diff(r.Run(), prev))
			}
		}
		if r.run.ContinuedAs == "" {
			return nil
		}
		runID = r.run.ContinuedAs
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
// them there) and the run's progress.
func diff(run *Run, prev map[string]flowgraph.State) ([]Change, Progress) {
	p := Progress{Counts: map[flowgraph.State]int{}, Start: run.Start}
	durations := make(map[string]*Task, len(run.Tasks))
	for i := range run.Tasks {
		durations[run.Tasks[i].ID] = &run.Tasks[i]
	}
	var changes []Change
	for _, n := range run.Graph.Nodes {
		if n.Task == "" {
			continue
		}
		p.Total++
		p.Counts[n.State]++
		switch n.State {
		case flowgraph.Scheduled, flowgraph.Running, flowgraph.Retrying, flowgraph.Waiting:
			p.Active = append(p.Active, n.ID)
		}
		if old, seen := prev[n.ID]; seen && old == n.State || !seen && n.State == flowgraph.NotReached {
			continue
		}
		ch := Change{TaskID: n.ID, Task: n.Task, From: prev[n.ID], To: n.State}
		if t := durations[n.ID]; t != nil {
			ch.Duration, ch.Error = t.Duration, t.Error
		}
		prev[n.ID] = n.State
		changes = append(changes, ch)
	}
	return changes, p
}
