package wire

import "encoding/json"

// ChannelQuery names the query the interpreter answers with channel entries
// of a scope: args ChannelQueryArgs, result ChannelQueryResult.
const ChannelQuery = "graflow.channel"

// ChannelQueryArgs asks for keys of the channel of one scope ("" = the run's
// own channel, "<group>/<member>" = a parallel branch). AllKeys asks for the
// list of keys instead.
type ChannelQueryArgs struct {
	Scope   string   `json:"scope"`
	Keys    []string `json:"keys,omitempty"`
	AllKeys bool     `json:"all_keys,omitempty"`
}

// ChannelQueryResult answers ChannelQueryArgs.
type ChannelQueryResult struct {
	Entries map[string]ChannelEntry `json:"entries,omitempty"`
	Keys    []string                `json:"keys,omitempty"`
}

// Input is what the interpreter sends to run one task: the parameters it
// resolved and its view of the channel (the keys it declared or read
// before, and small values up to a budget; larger values by name only).
type Input struct {
	Task   string                     `json:"task"`
	TaskID string                     `json:"task_id"`
	Scope  string                     `json:"scope,omitempty"`
	Params map[string]json.RawMessage `json:"params,omitempty"`
	// ChannelView's fields travel as fields of Input.
	ChannelView
	Cycle     int `json:"cycle"`
	MaxCycles int `json:"max_cycles"`
	// Attempt is the 1-based attempt of the task's own retries
	// (WithMaxRetries); crashes retried by Temporal add to it.
	Attempt int `json:"attempt,omitempty"`
	// Feedback holds the run's answers to this task's feedback requests.
	Feedback *FeedbackInput `json:"feedback,omitempty"`
}

// ChannelView is the part of the channel a task is sent: values (Reads),
// keys known to be absent, and what the task may fetch on demand.
type ChannelView struct {
	Reads  map[string]ChannelEntry `json:"reads,omitempty"`
	Absent []string                `json:"absent,omitempty"`
	// Complete says Reads hold the whole channel: nothing is fetched.
	Complete bool `json:"complete,omitempty"`
	// KeysKnown says Reads and Omitted name every key: only the values of
	// Omitted keys are fetched on demand, and the key list never is.
	KeysKnown bool     `json:"keys_known,omitempty"`
	Omitted   []string `json:"omitted,omitempty"`
	// ResultsUnknown says Omitted leaves out task results: they are
	// fetched when read.
	ResultsUnknown bool `json:"results_unknown,omitempty"`
}

// FeedbackInput is what the interpreter sends a task about the run's
// feedback requests: the answers it holds for requests this task made, and
// the requests that timed out unanswered.
type FeedbackInput struct {
	Answers  map[string]FeedbackResponse `json:"answers,omitempty"`
	TimedOut []string                    `json:"timed_out,omitempty"`
}

// Output is what a task returns: its value, its channel writes and its
// control-flow commands.
type Output struct {
	Value    json.RawMessage `json:"value"`
	Ops      []ChannelOp     `json:"ops,omitempty"`
	Commands []Command       `json:"commands,omitempty"`
	// Suspended is the feedback request the task is waiting for: the task
	// returned nothing and runs again once it is answered.
	Suspended *FeedbackRequest `json:"suspended,omitempty"`
	// Fetched are the channel keys the task read on demand: its next runs
	// in this workflow are sent them.
	Fetched []string `json:"fetched,omitempty"`
}

// NodeSpec is one node of a run's graph: a task (Task set) or a parallel
// group (Members set). Options are the task's own; the run's defaults fill
// the rest when it runs.
type NodeSpec struct {
	ID      string                     `json:"id"`
	Task    string                     `json:"task,omitempty"`
	Params  map[string]json.RawMessage `json:"params,omitempty"`
	Inputs  []string                   `json:"inputs,omitempty"`
	Options TaskOptions                `json:"options,omitzero"`
	Members []string                   `json:"members,omitempty"`
	Policy  *Policy                    `json:"policy,omitempty"`
	// Dynamic marks a group added at run time: its branches run as child
	// workflows.
	Dynamic bool `json:"dynamic,omitempty"`
}

// CommandKind names what a task asked its run to do next.
type CommandKind string

// The command kinds a task can record.
const (
	CommandNext      CommandKind = "next"
	CommandGoto      CommandKind = "goto"
	CommandIterate   CommandKind = "iterate"
	CommandTerminate CommandKind = "terminate"
	CommandCancel    CommandKind = "cancel"
	// CommandCheckpoint records a point to resume the run from.
	CommandCheckpoint CommandKind = "checkpoint"
)

// Command is a task's control-flow request: the graph NextTask or Goto
// added (Entry, Nodes, Edges, AutoGroups), NextIteration's Params,
// TerminateWorkflow's Result, CancelWorkflow's Reason, Checkpoint's Metadata.
type Command struct {
	Kind       CommandKind                `json:"kind"`
	Entry      string                     `json:"entry,omitempty"`
	Nodes      []NodeSpec                 `json:"nodes,omitempty"`
	Edges      [][2]string                `json:"edges,omitempty"`
	AutoGroups []string                   `json:"auto_groups,omitempty"`
	Params     map[string]json.RawMessage `json:"params,omitempty"`
	Result     json.RawMessage            `json:"result,omitempty"`
	Reason     string                     `json:"reason,omitempty"`
	Metadata   json.RawMessage            `json:"metadata,omitempty"`
}
