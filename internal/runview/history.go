package runview

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/wire"
)

// Names the SDK gives its markers and their details.
const (
	localActivityMarker = "LocalActivity"
	sideEffectMarker    = "SideEffect"
	markerData          = "data"
	markerResult        = "result"
)

// reader builds a Run from history events, one at a time (Apply), so that
// progress can follow a run as it goes.
type reader struct {
	run     Run
	dc      converter.DataConverter
	tasks   map[string]*Task
	order   []string
	bySched map[int64]string
	// byActivity maps activity ids to task ids.
	byActivity map[string]string
	children   map[string]*Child
	// groupChildren are the child runs of each dynamic group, in start order.
	groupChildren map[string][]*Child
	channel       *graflow.Channel
	now           time.Time
	// fromChildren are the tasks of the child runs Follow reads.
	fromChildren map[string]Task
	// nextAuto is the number of the last ParallelGroup_<n> named at run time.
	nextAuto int
	// byName says the run was started by name: its spec is the first side
	// effect's.
	byName bool
}

// newReader returns a reader decoding payloads with dc (nil = Temporal's
// default data converter).
func newReader(dc converter.DataConverter) *reader {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return &reader{dc: dc, tasks: map[string]*Task{}, bySched: map[int64]string{}, byActivity: map[string]string{}, children: map[string]*Child{}, groupChildren: map[string][]*Child{},
		channel: engine.NewChannel(nil, engine.ChannelOptions{})}
}

// FromHistory reads a whole history (see Load for a run on a server).
func FromHistory(workflowID string, h *historypb.History, dc converter.DataConverter) (*Run, error) {
	r := newReader(dc)
	r.run.WorkflowID = workflowID
	for _, ev := range h.GetEvents() {
		if err := r.Apply(ev); err != nil {
			return nil, err
		}
	}
	return r.Run(), nil
}

// decode decodes the first payload of ps into v.
func (r *reader) decode(ps *commonpb.Payloads, v any) error {
	if len(ps.GetPayloads()) == 0 {
		return nil
	}
	return r.dc.FromPayload(ps.GetPayloads()[0], v)
}

// summary is the user metadata summary of an event (a task's id).
func (r *reader) summary(ev *historypb.HistoryEvent) string {
	var s string
	if p := ev.GetUserMetadata().GetSummary(); p != nil {
		_ = r.dc.FromPayload(p, &s)
	}
	return s
}

// startInput is every field of a run's input describe needs.
type startInput struct {
	Spec    *wire.Spec                 `json:"spec"`
	Channel map[string]json.RawMessage `json:"channel"`
	Resume  *struct {
		NextAuto int `json:"next_auto"`
	} `json:"resume"`
	Child *childInput `json:"child"`
}

// childInput is what a child run's input says of its branches.
type childInput struct {
	Group   string   `json:"group"`
	Members []string `json:"members"`
}

// Apply adds one history event.
func (r *reader) Apply(ev *historypb.HistoryEvent) error {
	at := ev.GetEventTime().AsTime()
	r.now = at
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
		a := ev.GetWorkflowExecutionStartedEventAttributes()
		r.run.Type, r.run.TaskQueue, r.run.Start = a.GetWorkflowType().GetName(), a.GetTaskQueue().GetName(), at
		r.run.RunID, r.run.Status = a.GetOriginalExecutionRunId(), "Running"
		var in startInput
		if err := r.decode(a.GetInput(), &in); err != nil {
			return fmt.Errorf("runview: input of %s: %w", r.run.WorkflowID, err)
		}
		if in.Spec == nil {
			r.byName = true
			return r.channelFromStart(in.Channel, false)
		}
		r.setSpec(in.Spec)
		if in.Resume != nil {
			r.nextAuto = in.Resume.NextAuto
		}
		if in.Child != nil {
			r.run.Group, r.run.Members = in.Child.Group, in.Child.Members
		}
		return r.channelFromStart(in.Channel, true)
	case enumspb.EVENT_TYPE_MARKER_RECORDED:
		return r.marker(ev, at)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		a := ev.GetActivityTaskScheduledEventAttributes()
		var in struct { // of wire.Input, what describes the task
			TaskID  string `json:"task_id"`
			Attempt int    `json:"attempt"`
		}
		if err := r.decode(a.GetInput(), &in); err != nil {
			return fmt.Errorf("runview: input of activity %s: %w", a.GetActivityId(), err)
		}
		id := cmpOr(in.TaskID, r.summary(ev))
		r.bySched[ev.GetEventId()] = id
		r.byActivity[a.GetActivityId()] = id
		t := r.task(id, a.GetActivityType().GetName())
		if in.Attempt <= 1 {
			t.Runs++
		}
		t.Attempts, t.State, t.scheduled, t.Error, t.Duration = max(in.Attempt, 1), flowgraph.Scheduled, at, "", 0
		if in.Attempt > 1 {
			t.State = flowgraph.Retrying
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		a := ev.GetActivityTaskStartedEventAttributes()
		if t := r.tasks[r.bySched[a.GetScheduledEventId()]]; t != nil {
			t.Worker = a.GetIdentity()
			t.Attempts += int(a.GetAttempt()) - 1
			t.State = flowgraph.Running
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		a := ev.GetActivityTaskCompletedEventAttributes()
		if t := r.tasks[r.bySched[a.GetScheduledEventId()]]; t != nil {
			return r.completed(t, a.GetResult(), at)
		}
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		a := ev.GetActivityTaskFailedEventAttributes()
		r.closed(a.GetScheduledEventId(), flowgraph.Failed, a.GetFailure().GetMessage(), at)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		a := ev.GetActivityTaskTimedOutEventAttributes()
		r.closed(a.GetScheduledEventId(), flowgraph.Failed, cmpOr(a.GetFailure().GetMessage(), "timed out"), at)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		r.closed(ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(), flowgraph.Canceled, "", at)
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
		a := ev.GetStartChildWorkflowExecutionInitiatedEventAttributes()
		var in struct{ Child childInput } // not the channel snapshot each child carries
		_ = r.decode(a.GetInput(), &in)
		c := &Child{WorkflowID: a.GetWorkflowId(), Status: "Starting", Members: in.Child.Members}
		if g := in.Child.Group; g != "" {
			r.groupOf(g)
			r.groupChildren[g] = append(r.groupChildren[g], c)
		}
		r.children[c.WorkflowID] = c
		r.setMembers(c.Members, flowgraph.Scheduled)
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
		a := ev.GetChildWorkflowExecutionStartedEventAttributes()
		r.child(a.GetWorkflowExecution().GetWorkflowId(), "Running", flowgraph.Running).RunID = a.GetWorkflowExecution().GetRunId()
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
		a := ev.GetChildWorkflowExecutionCompletedEventAttributes()
		c := r.child(a.GetWorkflowExecution().GetWorkflowId(), "Completed", flowgraph.Done)
		var out wire.RunOutput
		if err := r.decode(a.GetResult(), &out); err != nil {
			return fmt.Errorf("runview: result of child %s: %w", c.WorkflowID, err)
		}
		for _, b := range out.Branches {
			if b.Error != "" {
				c.Failed++
				r.setMembers([]string{b.Member}, flowgraph.Failed)
			}
			_ = engine.ApplyOps(r.channel, b.Ops)
		}
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
		c := r.child(ev.GetChildWorkflowExecutionFailedEventAttributes().GetWorkflowExecution().GetWorkflowId(), "Failed", flowgraph.Failed)
		c.Failed = len(c.Members)
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
		r.child(ev.GetChildWorkflowExecutionCanceledEventAttributes().GetWorkflowExecution().GetWorkflowId(), "Canceled", flowgraph.Canceled)
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
		r.child(ev.GetChildWorkflowExecutionTerminatedEventAttributes().GetWorkflowExecution().GetWorkflowId(), "Terminated", flowgraph.Failed)
	case enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
		r.child(ev.GetChildWorkflowExecutionTimedOutEventAttributes().GetWorkflowExecution().GetWorkflowId(), "TimedOut", flowgraph.Failed)
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		r.run.Status, r.run.Close = "Completed", &at
		var out wire.RunOutput
		if err := r.decode(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult(), &out); err == nil && !out.ChannelOmitted && out.Channel != nil {
			r.channel = engine.NewChannel(out.Channel, engine.ChannelOptions{})
		}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		r.run.Status, r.run.Close = "Failed", &at
		r.run.Failure = ev.GetWorkflowExecutionFailedEventAttributes().GetFailure().GetMessage()
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		r.run.Status, r.run.Close = "Canceled", &at
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		r.run.Status, r.run.Close = "Terminated", &at
		r.run.Failure = cmpOr(ev.GetWorkflowExecutionTerminatedEventAttributes().GetReason(), "terminated")
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		r.run.Status, r.run.Close = "TimedOut", &at
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		r.run.Status, r.run.Close = "ContinuedAsNew", &at
		r.run.ContinuedAs = ev.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
	}
	return nil
}

// marker reads a local task's completion, or a by-name start's compiled input.
func (r *reader) marker(ev *historypb.HistoryEvent, at time.Time) error {
	a := ev.GetMarkerRecordedEventAttributes()
	switch a.GetMarkerName() {
	case sideEffectMarker:
		if !r.byName || r.run.Graph.Nodes != nil {
			return nil
		}
		var c struct {
			Input *struct {
				Spec    wire.Spec                  `json:"spec"`
				Channel map[string]json.RawMessage `json:"channel"`
			} `json:"input"`
		}
		if err := r.decode(a.GetDetails()[markerData], &c); err != nil || c.Input == nil {
			return nil // not the compiled input
		}
		r.setSpec(&c.Input.Spec)
		return r.channelFromStart(c.Input.Channel, true)
	case localActivityMarker:
		var data struct {
			ActivityType string
			Attempt      int32
		}
		if err := r.decode(a.GetDetails()[markerData], &data); err != nil {
			return fmt.Errorf("runview: local activity marker %d: %w", ev.GetEventId(), err)
		}
		t := r.task(r.summary(ev), data.ActivityType)
		t.Local, t.Runs, t.Attempts, t.State, t.Worker = true, t.Runs+1, int(data.Attempt), flowgraph.Done, ""
		if f := a.GetFailure(); f != nil {
			t.State, t.Error = flowgraph.Failed, f.GetMessage()
			return nil
		}
		t.scheduled = at
		return r.completed(t, a.GetDetails()[markerResult], at)
	}
	return nil
}

// completed records a task's output: done, or waiting for feedback.
func (r *reader) completed(t *Task, result *commonpb.Payloads, at time.Time) error {
	var out wire.Output
	if err := r.decode(result, &out); err != nil {
		return fmt.Errorf("runview: result of task %s: %w", t.ID, err)
	}
	t.State, t.Duration = flowgraph.Done, at.Sub(t.scheduled)
	if out.Suspended != nil {
		t.State = flowgraph.Waiting
	}
	_ = engine.ApplyOps(r.channel, out.Ops)
	for _, c := range out.Commands {
		if c.Kind == wire.CommandNext || c.Kind == wire.CommandGoto {
			r.merge(t.ID, c)
		}
	}
	return nil
}

// merge adds the nodes and edges a NextTask or Goto of task from brought,
// named as the interpreter names them (temporal/commands.go): unnamed
// groups get the next free ParallelGroup_<n>, and new groups are dynamic.
func (r *reader) merge(from string, c wire.Command) {
	rename := map[string]string{}
	for _, id := range c.AutoGroups {
		for {
			r.nextAuto++
			fresh := "ParallelGroup_" + strconv.Itoa(r.nextAuto)
			if r.run.Graph.Node(fresh) == nil {
				rename[id] = fresh
				break
			}
		}
	}
	name := func(id string) string { return cmpOr(rename[id], id) }
	var nodes []wire.NodeSpec
	for _, n := range c.Nodes {
		n.ID = name(n.ID)
		if n.Task == "" && r.run.Graph.Node(n.ID) == nil {
			n.Dynamic = true
			n.Members = slices.Clone(n.Members)
			for i, m := range n.Members {
				n.Members[i] = name(m)
			}
		}
		nodes = append(nodes, n)
	}
	edges := make([][2]string, len(c.Edges))
	for i, e := range c.Edges {
		edges[i] = [2]string{name(e[0]), name(e[1])}
	}
	r.run.Graph.Add(nodes, edges)
	r.run.Graph.AddSpawn(from, name(c.Entry))
}

// closed records an activity that ended without a result.
func (r *reader) closed(scheduled int64, s flowgraph.State, msg string, at time.Time) {
	if t := r.tasks[r.bySched[scheduled]]; t != nil {
		t.State, t.Error, t.Duration = s, msg, at.Sub(t.scheduled)
	}
}

func (r *reader) setSpec(s *wire.Spec) {
	r.run.Flow = s.Flow
	r.run.Graph = flowgraph.FromSpec(s.Name, s.Nodes, s.Edges)
}

// channelFromStart sets the channel the run started with: compiled entries
// ({"v": value}) or, for a start by name, plain values.
func (r *reader) channelFromStart(raw map[string]json.RawMessage, compiled bool) error {
	entries := make(map[string]wire.ChannelEntry, len(raw))
	for k, v := range raw {
		e := wire.ChannelEntry{Value: v}
		if compiled {
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("runview: channel key %q of %s: %w", k, r.run.WorkflowID, err)
			}
		}
		entries[k] = e
	}
	r.channel = engine.NewChannel(entries, engine.ChannelOptions{})
	return nil
}

// task returns the task id, adding it on first sight.
func (r *reader) task(id, name string) *Task {
	t := r.tasks[id]
	if t == nil {
		t = &Task{ID: id, Name: name}
		r.tasks[id] = t
		r.order = append(r.order, id)
	}
	return t
}

// groupOf returns the dynamic group id's record, adding it on first sight.
func (r *reader) groupOf(id string) *Group {
	for i := range r.run.Groups {
		if r.run.Groups[i].ID == id {
			return &r.run.Groups[i]
		}
	}
	g := Group{ID: id}
	if n := r.run.Graph.Node(id); n != nil {
		g.Policy, g.Branches = n.Policy, len(n.Members)
	}
	r.run.Groups = append(r.run.Groups, g)
	return &r.run.Groups[len(r.run.Groups)-1]
}

// child sets the status of a child run and the state of its members.
func (r *reader) child(workflowID, status string, s flowgraph.State) *Child {
	c := r.children[workflowID]
	if c == nil {
		c = &Child{WorkflowID: workflowID}
		r.children[workflowID] = c
	}
	c.Status = status
	r.setMembers(c.Members, s)
	return c
}

func (r *reader) setMembers(ids []string, s flowgraph.State) {
	for _, id := range ids {
		r.run.Graph.SetState(id, s)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Run returns the run as read so far: every task node of the graph in
// graph order (those not reached too), then tasks the graph lacks.
func (r *reader) Run() *Run {
	run := r.run
	run.Graph.Nodes = slices.Clone(r.run.Graph.Nodes)
	inDynamic := map[string]bool{}
	for _, n := range run.Graph.Nodes {
		if n.Dynamic {
			for _, m := range n.Members {
				inDynamic[m] = true
			}
		}
	}
	inChild := map[string]string{}
	for _, c := range r.children {
		for _, m := range c.Members {
			inChild[m] = c.WorkflowID
		}
	}
	seen := map[string]bool{}
	run.Tasks = nil
	add := func(t Task) {
		if t.State == flowgraph.Scheduled || t.State == flowgraph.Running || t.State == flowgraph.Retrying {
			t.Duration = r.now.Sub(t.scheduled)
		}
		run.Tasks = append(run.Tasks, t)
		seen[t.ID] = true
		run.Graph.SetState(t.ID, t.State)
	}
	for _, n := range run.Graph.Nodes {
		if n.Task == "" || inDynamic[n.ID] {
			continue
		}
		if t := r.tasks[n.ID]; t != nil {
			add(*t)
		} else {
			add(Task{ID: n.ID, Name: n.Task, State: n.State, Child: inChild[n.ID]}) // ran in a child run, or not reached
		}
	}
	for _, id := range r.order {
		if !seen[id] {
			add(*r.tasks[id])
		}
	}
	for i := range run.Graph.Nodes {
		if n := &run.Graph.Nodes[i]; len(n.Members) > 0 && n.State == flowgraph.NotReached {
			n.State = groupState(&run.Graph, n)
		}
	}
	entries := engine.Entries(r.channel)
	run.Channel = make([]Key, 0, len(entries))
	for k, e := range entries {
		run.Channel = append(run.Channel, Key{Name: k, Bytes: len(e.Value)})
	}
	slices.SortFunc(run.Channel, func(a, b Key) int { return strings.Compare(a.Name, b.Name) })
	run.Groups = slices.Clone(r.run.Groups)
	for i := range run.Groups {
		for _, c := range r.groupChildren[run.Groups[i].ID] {
			run.Groups[i].Children = append(run.Groups[i].Children, *c)
		}
	}
	return &run
}

// groupState is a group's state from its members': waiting or running
// while any member is, done when all are done or when the run went on past
// it (its policy tolerated the failures), else failed when one failed.
func groupState(g *flowgraph.Graph, group *flowgraph.Node) flowgraph.State {
	members := group.Members
	count := map[flowgraph.State]int{}
	for _, m := range members {
		if n := g.Node(m); n != nil {
			count[n.State]++
		}
	}
	switch {
	case count[flowgraph.NotReached] == len(members):
		return flowgraph.NotReached
	case count[flowgraph.Waiting] > 0:
		return flowgraph.Waiting
	case count[flowgraph.Running]+count[flowgraph.Scheduled]+count[flowgraph.Retrying] > 0:
		return flowgraph.Running
	case count[flowgraph.Done] == len(members) || wentOn(g, group.ID):
		return flowgraph.Done
	case count[flowgraph.Failed] > 0:
		return flowgraph.Failed
	}
	return flowgraph.Running
}

// wentOn reports whether a successor of node id was reached.
func wentOn(g *flowgraph.Graph, id string) bool {
	for _, e := range g.Edges {
		if n := g.Node(e[1]); e[0] == id && n != nil && n.State != flowgraph.NotReached {
			return true
		}
	}
	return false
}
