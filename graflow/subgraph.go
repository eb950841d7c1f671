package graflow

import (
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/internal/core"
)

// newSubgraph compiles n on its own, as a task passes it to NextTask or
// Goto. Every task it names must be in reg (nil = no check); problems are
// joined, each wrapping ErrInvalidGraph.
func newSubgraph(n Node, reg *Registry) (*core.Subgraph, error) {
	b := newBuilder()
	entry, _ := buildNode(b, n)
	problems := append([]error(nil), b.problems...)
	sg := &core.Subgraph{Entry: entry, Edges: append([]core.GraphEdge(nil), b.edges...), AutoGroups: b.autoIDs}
	for _, id := range b.order {
		node := b.nodes[id]
		sg.Nodes = append(sg.Nodes, node.view())
		if reg != nil && !node.IsGroup() {
			if _, ok := reg.lookup(node.Task); !ok {
				problems = append(problems, fmt.Errorf("%w: %w: task %q (node %q) is not registered with this worker", ErrInvalidGraph, ErrTaskNotRegistered, node.Task, id))
			}
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return sg, nil
}
