package activities

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Names of the queries the interpreter answers and the runner asks.
const (
	// ChannelQuery returns channel entries of a scope: args ChannelQueryArgs, result ChannelQueryResult.
	ChannelQuery = "graflow.channel"
)

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
	Entries map[string]graflow.ChannelEntry `json:"entries,omitempty"`
	Keys    []string                        `json:"keys,omitempty"`
}

// Input is what the interpreter sends to run one task: the parameters it
// resolved and its view of the channel (temporal's channel view: the keys
// it declared or read before, and small values up to a budget; larger
// values by name only).
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
	// Feedback holds the run's answers to this task's feedback requests
	// (see suspend.go).
	Feedback *FeedbackInput `json:"feedback,omitempty"`
}

// ChannelView is the part of the channel a task is sent: values (Reads),
// keys known to be absent, and what the task may fetch on demand.
type ChannelView struct {
	Reads  map[string]graflow.ChannelEntry `json:"reads,omitempty"`
	Absent []string                        `json:"absent,omitempty"`
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

// channelOptions are the options of the task's channel over the view
// (Source and Context are the runner's).
func (v ChannelView) channelOptions() graflow.ChannelOptions {
	return graflow.ChannelOptions{Record: true, Absent: v.Absent, KeysKnown: v.KeysKnown, Omitted: v.Omitted, ResultsUnknown: v.ResultsUnknown}
}

// Output is what a task returns: its value, its channel writes and its
// control-flow commands.
type Output struct {
	Value    json.RawMessage     `json:"value"`
	Ops      []graflow.ChannelOp `json:"ops,omitempty"`
	Commands []Command           `json:"commands,omitempty"`
	// Suspended is the feedback request the task is waiting for: the task
	// returned nothing and runs again once it is answered (see suspend.go).
	Suspended *graflow.FeedbackRequest `json:"suspended,omitempty"`
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
	Options graflow.TaskOptions        `json:"options,omitzero"`
	Members []string                   `json:"members,omitempty"`
	Policy  *graflow.PolicySpec        `json:"policy,omitempty"`
	// Dynamic marks a group added at run time: its branches run as child
	// workflows.
	Dynamic bool `json:"dynamic,omitempty"`
}

// NewNodeSpec converts a graph node to its wire form.
func NewNodeSpec(n graflow.GraphNode) (NodeSpec, error) {
	ns := NodeSpec{ID: n.ID, Task: n.Task, Members: n.Members}
	if n.IsGroup() {
		p := n.Policy
		ns.Policy = &p
		return ns, nil
	}
	if n.Info != nil {
		ns.Inputs = n.Info.Params
		ns.Options = n.Info.Options
	}
	params, err := encodeParams(n.Params)
	if err != nil {
		return ns, fmt.Errorf("graflow: instance %q: %w", n.ID, err)
	}
	ns.Params = params
	return ns, nil
}

func encodeParams(p graflow.Params) (map[string]json.RawMessage, error) {
	if len(p) == 0 {
		return nil, nil
	}
	out := make(map[string]json.RawMessage, len(p))
	for k, v := range p {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("bound parameter %q is not JSON: %w", k, err)
		}
		out[k] = raw
	}
	return out, nil
}

// Command is a task's control-flow request (graflow.Command) on the wire.
type Command struct {
	Kind       graflow.CommandKind        `json:"kind"`
	Entry      string                     `json:"entry,omitempty"`
	Nodes      []NodeSpec                 `json:"nodes,omitempty"`
	Edges      [][2]string                `json:"edges,omitempty"`
	AutoGroups []string                   `json:"auto_groups,omitempty"`
	Params     map[string]json.RawMessage `json:"params,omitempty"`
	Result     json.RawMessage            `json:"result,omitempty"`
	Reason     string                     `json:"reason,omitempty"`
	Metadata   json.RawMessage            `json:"metadata,omitempty"`
}

// encodeCommands converts a task's recorded commands to their wire form.
func encodeCommands(cmds []graflow.Command) ([]Command, error) {
	out := make([]Command, 0, len(cmds))
	for _, c := range cmds {
		w := Command{Kind: c.Kind, Reason: c.Reason}
		if c.Metadata != nil {
			raw, err := json.Marshal(c.Metadata)
			if err != nil {
				return nil, fmt.Errorf("graflow: Checkpoint metadata is not JSON: %w", err)
			}
			w.Metadata = raw
		}
		if g := c.Graph; g != nil {
			w.Entry, w.AutoGroups = g.Entry, g.AutoGroups
			for _, n := range g.Nodes {
				ns, err := NewNodeSpec(n)
				if err != nil {
					return nil, err
				}
				w.Nodes = append(w.Nodes, ns)
			}
			for _, e := range g.Edges {
				w.Edges = append(w.Edges, [2]string{e.From, e.To})
			}
		}
		params, err := encodeParams(c.Params)
		if err != nil {
			return nil, fmt.Errorf("graflow: NextIteration: %w", err)
		}
		w.Params = params
		if c.HasResult {
			if w.Result, err = json.Marshal(c.Result); err != nil {
				return nil, fmt.Errorf("graflow: TerminateWorkflow result is not JSON: %w", err)
			}
		}
		out = append(out, w)
	}
	return out, nil
}
