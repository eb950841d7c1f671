package graflow

import (
	"errors"
	"fmt"
)

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

// NewSubgraph compiles n. Every task it names must be in reg (nil = no
// check); problems are joined, each wrapping ErrInvalidGraph.
func NewSubgraph(n Node, reg *Registry) (*Subgraph, error) {
	b := newBuilder()
	entry, _ := buildNode(b, n)
	problems := append([]error(nil), b.problems...)
	sg := &Subgraph{Entry: entry, Edges: append([]GraphEdge(nil), b.edges...), AutoGroups: b.autoIDs}
	for _, id := range b.order {
		node := b.nodes[id]
		sg.Nodes = append(sg.Nodes, *node)
		if reg != nil && !node.IsGroup() {
			if _, ok := reg.Lookup(node.Task); !ok {
				problems = append(problems, fmt.Errorf("%w: %w: task %q (node %q) is not registered with this worker", ErrInvalidGraph, ErrTaskNotRegistered, node.Task, id))
			}
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return sg, nil
}
