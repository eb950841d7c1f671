package activities

import (
	"encoding/json"

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
// resolved and the channel keys the task declared it reads — never the whole
// channel.
type Input struct {
	Task       string                          `json:"task"`
	TaskID     string                          `json:"task_id"`
	Scope      string                          `json:"scope,omitempty"`
	Params     map[string]json.RawMessage      `json:"params,omitempty"`
	Reads      map[string]graflow.ChannelEntry `json:"reads,omitempty"`
	Absent     []string                        `json:"absent,omitempty"`
	Cycle      int                             `json:"cycle"`
	MaxCycles  int                             `json:"max_cycles"`
	MaxRetries int                             `json:"max_retries,omitempty"`
}

// Output is what a task returns: its value and its channel writes.
type Output struct {
	Value json.RawMessage     `json:"value"`
	Ops   []graflow.ChannelOp `json:"ops,omitempty"`
}
