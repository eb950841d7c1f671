package temporal

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Spec is the serialisable graph of a run, compiled from a graflow.Workflow.
type Spec struct {
	Name     string      `json:"name"`
	Start    string      `json:"start"`
	MaxSteps int         `json:"max_steps"`
	Nodes    []NodeSpec  `json:"nodes"`
	Edges    [][2]string `json:"edges,omitempty"`
}

// NodeSpec is one node: a task (Task set) or a parallel group (Members set).
type NodeSpec struct {
	ID      string                     `json:"id"`
	Task    string                     `json:"task,omitempty"`
	Params  map[string]json.RawMessage `json:"params,omitempty"`
	Inputs  []string                   `json:"inputs,omitempty"`
	Options graflow.TaskOptions        `json:"options,omitzero"`
	Members []string                   `json:"members,omitempty"`
	Policy  *graflow.PolicySpec        `json:"policy,omitempty"`
}

// RunInput is the interpreter workflow's input.
type RunInput struct {
	Spec    Spec                            `json:"spec"`
	Channel map[string]graflow.ChannelEntry `json:"channel,omitempty"`
}

// RunOutput is the interpreter workflow's result: the run's value and its
// final channel. A channel too large for one payload (over half of
// Temporal's limit, since the value shares it) is omitted and
// ChannelOmitted says so.
type RunOutput struct {
	Value          json.RawMessage                 `json:"value"`
	Channel        map[string]graflow.ChannelEntry `json:"channel,omitempty"`
	ChannelOmitted bool                            `json:"channel_omitted,omitempty"`
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
	spec := Spec{Name: wf.Name(), Start: cfg.Start, MaxSteps: wf.MaxSteps()}
	for _, n := range wf.Nodes() {
		ns := NodeSpec{ID: n.ID, Task: n.Task, Members: n.Members}
		if n.IsGroup() {
			p := n.Policy
			ns.Policy = &p
		} else {
			ns.Inputs = n.Info.Params
			ns.Options = wf.TaskOptions(n)
			if len(n.Params) > 0 {
				ns.Params = make(map[string]json.RawMessage, len(n.Params))
				for k, v := range n.Params {
					raw, err := json.Marshal(v)
					if err != nil {
						return RunInput{}, fmt.Errorf("graflow: instance %q: bound parameter %q is not JSON: %w", n.ID, k, err)
					}
					ns.Params[k] = raw
				}
			}
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
