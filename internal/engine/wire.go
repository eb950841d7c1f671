package engine

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// NodeSpec converts a graph node to its wire form.
func NodeSpec(n GraphNode) (wire.NodeSpec, error) {
	ns := wire.NodeSpec{ID: n.ID, Task: n.Task, Members: n.Members}
	if n.IsGroup() {
		p := n.Policy
		ns.Policy = &p
		return ns, nil
	}
	ns.Inputs, ns.Options = n.Inputs, n.Options
	params, err := encodeParams(n.Params)
	if err != nil {
		return ns, fmt.Errorf("graflow: instance %q: %w", n.ID, err)
	}
	ns.Params = params
	return ns, nil
}

func encodeParams(p map[string]any) (map[string]json.RawMessage, error) {
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

// WireCommands converts a task's recorded commands to their wire form.
func WireCommands(cmds []Command) ([]wire.Command, error) {
	out := make([]wire.Command, 0, len(cmds))
	for _, c := range cmds {
		w := wire.Command{Kind: c.Kind, Reason: c.Reason}
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
				ns, err := NodeSpec(n)
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

// Compile turns a validated workflow and a run's options into the
// interpreter's input.
func Compile(wf *graflow.Workflow, cfg RunConfig) (wire.RunInput, error) {
	g := CompileGraph(wf)
	spec := wire.Spec{Name: g.Name, Flow: g.Flow, Start: cfg.Start, MaxSteps: g.MaxSteps, Defaults: g.Defaults}
	for _, n := range g.Nodes {
		ns, err := NodeSpec(n)
		if err != nil {
			return wire.RunInput{}, err
		}
		spec.Nodes = append(spec.Nodes, ns)
	}
	for _, e := range g.Edges {
		spec.Edges = append(spec.Edges, [2]string{e.From, e.To})
	}
	in := wire.RunInput{Spec: spec, Channel: map[string]wire.ChannelEntry{}}
	for k, v := range cfg.InitialChannel {
		raw, err := json.Marshal(v)
		if err != nil {
			return wire.RunInput{}, fmt.Errorf("graflow: initial channel key %q is not JSON: %w", k, err)
		}
		in.Channel[k] = wire.ChannelEntry{Value: raw}
	}
	return in, nil
}
