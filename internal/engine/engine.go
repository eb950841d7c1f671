package engine

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// The types graflow fills for executors (see package internal/core).
type (
	ChannelOptions = core.ChannelOptions
	ChannelSource  = core.ChannelSource
	TaskEnv        = core.TaskEnv
	TaskDef        = core.TaskDef
	Graph          = core.Graph
	GraphNode      = core.GraphNode
	GraphEdge      = core.GraphEdge
	Subgraph       = core.Subgraph
	Command        = core.Command
	RunConfig      = core.RunConfig
)

// NewChannel returns a channel holding entries (copied).
func NewChannel(entries map[string]wire.ChannelEntry, opts ChannelOptions) *graflow.Channel {
	return core.NewChannel(entries, opts).(*graflow.Channel)
}

// ApplyOps performs recorded ops in order (a task's writes, or a branch's
// on its parent), also on a read-only channel. It stops at the first op
// that fails; the ops before it stay applied.
func ApplyOps(ch *graflow.Channel, ops []wire.ChannelOp) error { return core.ApplyOps(ch, ops) }

// RecordedOps returns the writes ch recorded (ChannelOptions.Record).
func RecordedOps(ch *graflow.Channel) []wire.ChannelOp { return core.RecordedOps(ch) }

// Entries returns a copy of every unexpired value ch holds.
func Entries(ch *graflow.Channel) map[string]wire.ChannelEntry { return core.Entries(ch) }

// Entry returns the entry (value and expiry) of key in ch.
func Entry(ch *graflow.Channel, key string) (wire.ChannelEntry, bool) { return core.Entry(ch, key) }

// IsResultKey reports whether key holds a task's result (graflow.ResultKey).
func IsResultKey(key string) bool { return strings.HasSuffix(key, graflow.ResultKey("")) }

// NewTaskContext returns the context of one task run over ch (nil = an
// empty local channel); reg checks the tasks NextTask names (nil = no check).
func NewTaskContext(ctx context.Context, env TaskEnv, ch *graflow.Channel, reg *graflow.Registry) *graflow.TaskContext {
	var c, r any
	if ch != nil {
		c = ch
	}
	if reg != nil {
		r = reg
	}
	return core.NewTaskContext(ctx, env, c, r).(*graflow.TaskContext)
}

// Commands returns the commands tc recorded, in order.
func Commands(tc *graflow.TaskContext) []Command { return core.Commands(tc) }

// LookupTask returns the task registered in reg under name.
func LookupTask(reg *graflow.Registry, name string) (TaskDef, bool) {
	return core.LookupTask(reg, name)
}

// Invoke decodes params into the In of reg's task name, runs its body with
// tc and returns the JSON of its result. A parameter that does not decode
// is a *graflow.ParamError naming the task and field.
func Invoke(reg *graflow.Registry, name string, tc *graflow.TaskContext, params map[string]json.RawMessage) (json.RawMessage, error) {
	return core.Invoke(reg, name, tc, params)
}

// WatchRegistry calls fn with the name of every task registered in reg from
// now on, until stop is called.
func WatchRegistry(reg *graflow.Registry, fn func(name string)) (stop func()) {
	return core.WatchRegistry(reg, fn)
}

// CompileGraph returns the graph of wf.
func CompileGraph(wf *graflow.Workflow) Graph { return core.CompileGraph(wf) }

// StartNode resolves the node a run of wf begins at: start when given (it
// must exist), else the single root. Members of groups are never roots.
func StartNode(wf *graflow.Workflow, start string) (string, error) { return core.StartNode(wf, start) }

// NewResult returns the result of a run; ch is its final channel.
func NewResult(workflowID, runID string, value json.RawMessage, ch *graflow.Channel) *graflow.Result {
	var c any
	if ch != nil {
		c = ch
	}
	return core.NewResult(workflowID, runID, value, c).(*graflow.Result)
}

// NewHandle returns the handle of a started run that exec answers.
func NewHandle(exec graflow.Executor, workflowID, runID string) *graflow.Handle {
	return core.NewHandle(exec, workflowID, runID).(*graflow.Handle)
}
