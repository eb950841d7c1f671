package wire

import "encoding/json"

// Spec is the serialisable graph of a run, compiled from a graflow.Workflow.
type Spec struct {
	Name string `json:"name"`
	// Flow is the workflow's flow expression (graflow.Workflow.String), for
	// people reading the run.
	Flow     string      `json:"flow,omitempty"`
	Start    string      `json:"start"`
	MaxSteps int         `json:"max_steps"`
	Nodes    []NodeSpec  `json:"nodes"`
	Edges    [][2]string `json:"edges,omitempty"`
	// Defaults fill the task options a node leaves unset (WithDefaultTaskOptions).
	Defaults TaskOptions `json:"defaults,omitzero"`
	// InlineChannel sends the whole channel with every task instead of
	// letting tasks fetch undeclared keys by Query: for environments that
	// answer no queries (graflowtest).
	InlineChannel bool `json:"inline_channel,omitempty"`
	// NoAwaitingAttribute says the namespace lacks the search attribute
	// GraflowAwaitingFeedback, so the run does not keep it.
	NoAwaitingAttribute bool `json:"no_awaiting_attribute,omitempty"`
}

// RunInput is the interpreter workflow's input. Its JSON fields are decoded
// through the by-name input of package temporal (byname.go), which must
// name each of them.
type RunInput struct {
	Spec    Spec                    `json:"spec"`
	Channel map[string]ChannelEntry `json:"channel,omitempty"`
	// Child is set when the run is a child running branches of a dynamic group.
	Child *ChildInput `json:"child,omitempty"`
	// Resume carries the interpreter's state across continue-as-new.
	Resume *RunState `json:"resume,omitempty"`
}

// ChildInput tells a child run which branches of which group it runs.
type ChildInput struct {
	Group   string   `json:"group"`
	Members []string `json:"members"`
	// Cycles are the parent's run counts, so that a loop through dynamic
	// groups still meets WithMaxCycles.
	Cycles map[string]int `json:"cycles,omitempty"`
	// Learned are the parent's keys read on demand per task name.
	Learned map[string][]string `json:"learned,omitempty"`
	// Early are answers to the child's requests given to an earlier run of
	// it, before the parent was resumed from a checkpoint.
	Early []EarlyAnswer `json:"early,omitempty"`
	// Forward are such answers for the child's own dynamic children.
	Forward []ChildAnswer `json:"forward,omitempty"`
	// Interpreter is the parent's interpreter version, which the child
	// behaves as (0: a parent from before versioning; the child then
	// records its own).
	Interpreter int `json:"interpreter,omitempty"`
}

// RunOutput is the interpreter workflow's result: the run's value and its
// final channel. A channel too large for one payload (over half of
// Temporal's limit, since the value shares it) is omitted and
// ChannelOmitted says so. A child run returns its branches' outcomes, or
// Terminated when one of them ended the whole run.
type RunOutput struct {
	Value          json.RawMessage         `json:"value"`
	Channel        map[string]ChannelEntry `json:"channel,omitempty"`
	ChannelOmitted bool                    `json:"channel_omitted,omitempty"`
	Branches       []BranchOutcome         `json:"branches,omitempty"`
	Terminated     *Termination            `json:"terminated,omitempty"`
	// Cycles are the task runs a child made beyond the counts it started
	// from, added to its parent's.
	Cycles map[string]int `json:"cycles,omitempty"`
}

// BranchOutcome is how one branch of a group ended: its channel writes when
// it succeeded, its error message when it failed.
type BranchOutcome struct {
	Member string      `json:"member"`
	Ops    []ChannelOp `json:"ops,omitempty"`
	Error  string      `json:"error,omitempty"`
	// Escaped are arrivals (from, to) at joins outside the branch, for the
	// group's scope to count.
	Escaped [][2]string `json:"escaped,omitempty"`
}

// Termination is a TerminateWorkflow made inside a child run.
type Termination struct {
	TaskID string          `json:"task_id"`
	Value  json.RawMessage `json:"value"`
	Ops    []ChannelOp     `json:"ops,omitempty"`
}

// Queued is a node waiting in a scope's queue, with the parameters of its
// next iteration.
type Queued struct {
	ID     string                     `json:"id"`
	Params map[string]json.RawMessage `json:"params,omitempty"`
}

// RunState is the interpreter's state besides the graph and the channel,
// carried across continue-as-new.
type RunState struct {
	Queue    []Queued            `json:"queue,omitempty"`
	Waiting  []string            `json:"waiting,omitempty"`
	Arrived  map[string][]string `json:"arrived,omitempty"`
	Cycles   map[string]int      `json:"cycles,omitempty"`
	Steps    int                 `json:"steps"`
	Last     json.RawMessage     `json:"last,omitempty"`
	NextAuto int                 `json:"next_auto,omitempty"`
	// ChildOps are the writes a child run made before it continued as new
	// (its channel restarts from the parent's snapshot).
	ChildOps []ChannelOp `json:"child_ops,omitempty"`
	// Feedback are the run's feedback requests and answers.
	Feedback *FeedbackState `json:"feedback,omitempty"`
	// Checkpoints are the checkpoints of the runs before.
	Checkpoints []Checkpoint `json:"checkpoints,omitempty"`
	// Closure and Escaped are a child's branch scope: the nodes it runs
	// itself (with those it added) and its arrivals at joins outside.
	Closure []string    `json:"closure,omitempty"`
	Escaped [][2]string `json:"escaped,omitempty"`
	// Learned are the keys read on demand per task name.
	Learned map[string][]string `json:"learned,omitempty"`
	// Interpreter is the interpreter version of the run before, which the
	// next one keeps (0: a run from before versioning).
	Interpreter int `json:"interpreter,omitempty"`
}

// Ops returns the writes carried across continue-as-new (nil-safe).
func (st *RunState) Ops() []ChannelOp {
	if st == nil {
		return nil
	}
	return st.ChildOps
}

// Checkpoint is a point a run can be resumed from (temporal.Checkpoint),
// kept in the run's memo and state. EventID is the run's
// workflow-task-completed event to reset to.
type Checkpoint struct {
	ID       string         `json:"id"`
	TaskID   string         `json:"task_id"`
	Metadata map[string]any `json:"metadata,omitempty"`
	RunID    string         `json:"run_id"`
	EventID  int64          `json:"event_id"`
}
