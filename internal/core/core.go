package core

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/prompts"
)

// ChannelSource supplies keys a channel does not hold yet, on demand.
type ChannelSource interface {
	Fetch(ctx context.Context, keys []string) (map[string]wire.ChannelEntry, error)
	Keys(ctx context.Context) ([]string, error)
}

// ChannelOptions configure a new channel; the zero value is a local channel
// on the wall clock.
type ChannelOptions struct {
	// Now is the clock used for TTLs (workflow code passes workflow.Now).
	Now func() time.Time
	// Source is asked for keys the channel does not know.
	Source ChannelSource
	// Context is passed to Source.
	Context context.Context
	// Record keeps every write as an op (see RecordedOps).
	Record bool
	// ReadOnly rejects writes with graflow.ErrReadOnlyChannel.
	ReadOnly bool
	// Absent lists keys known to hold nothing, so Source is not asked for them.
	Absent []string
	// KeysKnown says the entries and Omitted name every key there is: the
	// Source is asked only for the values of Omitted keys, never for the
	// key list, and any other key is absent.
	KeysKnown bool
	// Omitted are keys that hold values the channel was not given.
	Omitted []string
	// ResultsUnknown says, with KeysKnown, that task results
	// ("<id>.__result__") are not among the known keys: one is fetched when
	// read, and Keys asks the Source for the key list.
	ResultsUnknown bool
}

// TaskEnv is what an executor tells a task about its run.
type TaskEnv struct {
	// Task is the name of the task; TaskID the id of the running node.
	Task       string
	TaskID     string
	WorkflowID string
	RunID      string
	Attempt    int
	Cycle      int
	MaxCycles  int
	Logger     *slog.Logger
	// Prompts is the worker's prompt manager (nil = the default directory).
	Prompts *prompts.Manager
	// Feedback, when set, lets the task request feedback: Answers (a
	// map[string]graflow.FeedbackResponse) are the run's answers by request
	// id, TimedOut the requests that timed out unanswered.
	Feedback *Feedback
}

// Feedback is a task's view of the run's feedback requests (TaskEnv.Feedback).
type Feedback struct {
	Answers  any
	TimedOut []string
}

// TaskDef is what an executor knows of a registered task.
type TaskDef struct {
	// Params are the channel keys of the task's parameters.
	Params  []string
	Options wire.TaskOptions
}

// GraphNode is one node of a workflow graph: a task (Task set) or a
// parallel group (Members set).
type GraphNode struct {
	ID   string
	Task string
	// Inputs and Options are the task's (TaskDef); nil/zero for a task the
	// graph names but no registry holds.
	Inputs  []string
	Options wire.TaskOptions
	// Params are the parameters bound to the instance.
	Params  map[string]any
	Members []string
	Policy  wire.Policy
}

// IsGroup reports whether the node is a parallel group.
func (n GraphNode) IsGroup() bool { return n.Task == "" }

// GraphEdge is a static edge From >> To.
type GraphEdge struct {
	From string
	To   string
}

// Graph is a workflow compiled: its nodes and edges in the order they were
// added, its step limit and the task options its nodes default to.
type Graph struct {
	Name     string
	Flow     string
	MaxSteps int
	Nodes    []GraphNode
	Edges    []GraphEdge
	Defaults wire.TaskOptions
}

// Subgraph is a node compiled on its own, as a task passes it to NextTask or
// Goto: the nodes and edges it brings, and the id the run enters it at.
type Subgraph struct {
	Entry string
	Nodes []GraphNode
	Edges []GraphEdge
	// AutoGroups are the ids invented for unnamed groups (ParallelGroup_<n>
	// counted from 1 in this subgraph); an executor renames them so that
	// they never collide with the groups of the run.
	AutoGroups []string
}

// Command is a control-flow request recorded by a running task. Executors
// apply a task's commands, in order, only when the task returns without error.
type Command struct {
	Kind wire.CommandKind
	// Graph is what NextTask or Goto added.
	Graph *Subgraph
	// Params are bound to the task's next iteration (NextIteration).
	Params map[string]any
	// Result is TerminateWorkflow's result; HasResult is false when it was nil.
	Result    any
	HasResult bool
	// Reason is CancelWorkflow's reason.
	Reason string
	// Metadata is Checkpoint's metadata.
	Metadata map[string]any
}

// RunConfig is what an executor needs besides the workflow: the resolved
// options of one Execute or Start call.
type RunConfig struct {
	Start          string
	InitialChannel map[string]any
	WorkflowID     string
}

// The hooks package graflow sets in its init.
var (
	// NewChannel returns a *graflow.Channel holding entries (copied).
	NewChannel func(entries map[string]wire.ChannelEntry, opts ChannelOptions) any
	// ApplyOps performs recorded ops in order on ch (a *graflow.Channel),
	// also on a read-only channel; it stops at the first that fails.
	ApplyOps func(ch any, ops []wire.ChannelOp) error
	// RecordedOps returns the writes ch recorded (ChannelOptions.Record).
	RecordedOps func(ch any) []wire.ChannelOp
	// Entries returns a copy of every unexpired value ch holds.
	Entries func(ch any) map[string]wire.ChannelEntry
	// Entry returns the entry of key in ch, without asking its source.
	Entry func(ch any, key string) (wire.ChannelEntry, bool)

	// NewTaskContext returns the *graflow.TaskContext of one task run, with
	// ch (a *graflow.Channel, nil = an empty local one) and reg (a
	// *graflow.Registry checking the tasks NextTask names; nil = no check).
	NewTaskContext func(ctx context.Context, env TaskEnv, ch, reg any) any
	// Commands returns the commands tc (a *graflow.TaskContext) recorded.
	Commands func(tc any) []Command
	// Suspended returns the *graflow.FeedbackRequest tc suspended on, or nil.
	Suspended func(tc any) any

	// LookupTask returns the task registered in reg (a *graflow.Registry)
	// under name.
	LookupTask func(reg any, name string) (TaskDef, bool)
	// Invoke decodes params into the In of reg's task name, runs its body
	// with tc (a *graflow.TaskContext) and returns the JSON of its result.
	Invoke func(reg any, name string, tc any, params map[string]json.RawMessage) (json.RawMessage, error)
	// WatchRegistry calls fn with the name of every task registered in reg
	// from now on, until stop is called (a worker registers them).
	WatchRegistry func(reg any, fn func(name string)) (stop func())

	// CompileGraph returns the graph of wf (a *graflow.Workflow).
	CompileGraph func(wf any) Graph
	// StartNode resolves the node a run of wf begins at: start when given
	// (it must exist), else the single root.
	StartNode func(wf any, start string) (string, error)

	// NewResult returns a *graflow.Result; ch is a *graflow.Channel.
	NewResult func(workflowID, runID string, value json.RawMessage, ch any) any
	// NewHandle returns a *graflow.Handle; exec is a graflow.Executor.
	NewHandle func(exec any, workflowID, runID string) any
)
