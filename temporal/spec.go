package temporal

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
)

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
	Defaults graflow.TaskOptions `json:"defaults,omitzero"`
	// InlineChannel sends the whole channel with every task instead of
	// letting tasks fetch undeclared keys by Query: for environments that
	// answer no queries (graflowtest).
	InlineChannel bool `json:"inline_channel,omitempty"`
	// NoAwaitingAttribute says the namespace lacks the search attribute
	// GraflowAwaitingFeedback, so the run does not keep it.
	NoAwaitingAttribute bool `json:"no_awaiting_attribute,omitempty"`
}

// NodeSpec is one node of a Spec (see activities.NodeSpec).
type NodeSpec = activities.NodeSpec

// RunInput is the interpreter workflow's input. Its JSON fields are decoded
// through anyInput (byname.go), which must name each of them.
type RunInput struct {
	Spec    Spec                            `json:"spec"`
	Channel map[string]graflow.ChannelEntry `json:"channel,omitempty"`
	// Child is set when the run is a child running branches of a dynamic group.
	Child *childInput `json:"child,omitempty"`
	// Resume carries the interpreter's state across continue-as-new.
	Resume *runState `json:"resume,omitempty"`
}

// childInput tells a child run which branches of which group it runs.
type childInput struct {
	Group   string   `json:"group"`
	Members []string `json:"members"`
	// Cycles are the parent's run counts, so that a loop through dynamic
	// groups still meets WithMaxCycles.
	Cycles map[string]int `json:"cycles,omitempty"`
	// Learned are the parent's keys read on demand per task name (view.go).
	Learned map[string][]string `json:"learned,omitempty"`
	// Early are answers to the child's requests given to an earlier run of
	// it, before the parent was resumed from a checkpoint (childfeedback.go).
	Early []earlyAnswer `json:"early,omitempty"`
	// Forward are such answers for the child's own dynamic children.
	Forward []childAnswer `json:"forward,omitempty"`
}

// RunOutput is the interpreter workflow's result: the run's value and its
// final channel. A channel too large for one payload (over half of
// Temporal's limit, since the value shares it) is omitted and
// ChannelOmitted says so. A child run returns its branches' outcomes, or
// Terminated when one of them ended the whole run.
type RunOutput struct {
	Value          json.RawMessage                 `json:"value"`
	Channel        map[string]graflow.ChannelEntry `json:"channel,omitempty"`
	ChannelOmitted bool                            `json:"channel_omitted,omitempty"`
	Branches       []branchOutcome                 `json:"branches,omitempty"`
	Terminated     *termination                    `json:"terminated,omitempty"`
	// Cycles are the task runs a child made beyond the counts it started
	// from, added to its parent's.
	Cycles map[string]int `json:"cycles,omitempty"`
}

// branchOutcome is how one branch of a group ended: its channel writes when
// it succeeded, its error message when it failed.
type branchOutcome struct {
	Member string              `json:"member"`
	Ops    []graflow.ChannelOp `json:"ops,omitempty"`
	Error  string              `json:"error,omitempty"`
	// Escaped are arrivals (from, to) at joins outside the branch, for the
	// group's scope to count.
	Escaped [][2]string `json:"escaped,omitempty"`
}

// termination is a TerminateWorkflow made inside a child run.
type termination struct {
	TaskID string              `json:"task_id"`
	Value  json.RawMessage     `json:"value"`
	Ops    []graflow.ChannelOp `json:"ops,omitempty"`
}

// runState is the interpreter's state besides the graph and the channel,
// carried across continue-as-new.
type runState struct {
	Queue    []queued            `json:"queue,omitempty"`
	Waiting  []string            `json:"waiting,omitempty"`
	Arrived  map[string][]string `json:"arrived,omitempty"`
	Cycles   map[string]int      `json:"cycles,omitempty"`
	Steps    int                 `json:"steps"`
	Last     json.RawMessage     `json:"last,omitempty"`
	NextAuto int                 `json:"next_auto,omitempty"`
	// ChildOps are the writes a child run made before it continued as new
	// (its channel restarts from the parent's snapshot).
	ChildOps []graflow.ChannelOp `json:"child_ops,omitempty"`
	// Feedback are the run's feedback requests and answers (HITL, feedback.go).
	Feedback *feedbackState `json:"feedback,omitempty"`
	// Checkpoints are the checkpoints of the runs before.
	Checkpoints []Checkpoint `json:"checkpoints,omitempty"`
	// Closure and Escaped are a child's branch scope: the nodes it runs
	// itself (with those it added) and its arrivals at joins outside.
	Closure []string    `json:"closure,omitempty"`
	Escaped [][2]string `json:"escaped,omitempty"`
	// Learned are the keys read on demand per task name (view.go).
	Learned map[string][]string `json:"learned,omitempty"`
}

// Ops returns the writes carried across continue-as-new (nil-safe).
func (st *runState) Ops() []graflow.ChannelOp {
	if st == nil {
		return nil
	}
	return st.ChildOps
}

func (o *RunOutput) channelBytes() int {
	n := 0
	for k, e := range o.Channel {
		n += len(k) + len(e.Value) + 16
	}
	return n
}

// Compile turns a validated workflow and a run's options into the
// interpreter's input.
func Compile(wf *graflow.Workflow, cfg graflow.RunConfig) (RunInput, error) {
	spec := Spec{Name: wf.Name(), Flow: wf.String(), Start: cfg.Start, MaxSteps: wf.MaxSteps(), Defaults: wf.DefaultTaskOptions()}
	for _, n := range wf.Nodes() {
		ns, err := activities.NewNodeSpec(n)
		if err != nil {
			return RunInput{}, err
		}
		spec.Nodes = append(spec.Nodes, ns)
	}
	for _, e := range wf.Edges() {
		spec.Edges = append(spec.Edges, [2]string{e.From, e.To})
	}
	in := RunInput{Spec: spec, Channel: map[string]graflow.ChannelEntry{}}
	for k, v := range cfg.InitialChannel {
		raw, err := json.Marshal(v)
		if err != nil {
			return RunInput{}, fmt.Errorf("graflow: initial channel key %q is not JSON: %w", k, err)
		}
		in.Channel[k] = graflow.ChannelEntry{Value: raw}
	}
	return in, nil
}

// checkRunInput refuses a run input over Temporal's payload limit, which
// the server would answer by terminating the run, with an error naming the
// largest channel key.
func checkRunInput(what string, in *RunInput) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("graflow: %s: %w", what, err)
	}
	if len(raw) <= activities.MaxPayloadBytes {
		return nil
	}
	largest, size := "", 0
	for k, e := range in.Channel {
		if len(e.Value) > size || (len(e.Value) == size && k < largest) {
			largest, size = k, len(e.Value)
		}
	}
	return fmt.Errorf("graflow: %s is %d bytes, over Temporal's %d-byte payload limit (the channel's largest value is %q, %d bytes): keep large data outside the channel and pass a reference",
		what, len(raw), activities.MaxPayloadBytes, largest, size)
}
