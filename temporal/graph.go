package temporal

import (
	"maps"
	"slices"

	"github.com/graflow-go/graflow/internal/wire"
)

// graph is the interpreter's index of a Spec: successors in edge order, the
// back edges that close cycles, and each node's forward predecessors (the
// ones a join waits for). Nodes added at run time are indexed by add.
type graph struct {
	nodes   map[string]*wire.NodeSpec
	succ    map[string][]string
	back    map[[2]string]bool
	fwdPred map[string][]string
}

func newGraph(spec *wire.Spec) *graph {
	g := &graph{nodes: map[string]*wire.NodeSpec{}, succ: map[string][]string{}, back: map[[2]string]bool{}, fwdPred: map[string][]string{}}
	for _, n := range spec.Nodes {
		g.nodes[n.ID] = &n
	}
	for _, e := range spec.Edges {
		g.succ[e[0]] = append(g.succ[e[0]], e[1])
	}
	g.findBackEdges(spec)
	for _, e := range spec.Edges {
		if !g.back[e] {
			g.fwdPred[e[1]] = append(g.fwdPred[e[1]], e[0])
		}
	}
	return g
}

// add indexes nodes and edges added at run time. A new edge is a back edge
// when its target already reaches its source.
func (g *graph) add(nodes []wire.NodeSpec, edges [][2]string) {
	for _, n := range nodes {
		g.nodes[n.ID] = &n
	}
	for _, e := range edges {
		if slices.Contains(g.succ[e[0]], e[1]) {
			continue
		}
		if g.reachable([]string{e[1]})[e[0]] {
			g.back[e] = true
		} else {
			g.fwdPred[e[1]] = append(g.fwdPred[e[1]], e[0])
		}
		g.succ[e[0]] = append(g.succ[e[0]], e[1])
	}
}

// findBackEdges marks, by depth-first search from the start node and then
// from every node in spec order, the edges that point to a node still on the
// search stack.
func (g *graph) findBackEdges(spec *wire.Spec) {
	const (
		unseen = iota
		onStack
		finished
	)
	state := map[string]int{}
	var visit func(id string)
	visit = func(id string) {
		state[id] = onStack
		next := g.succ[id]
		if n := g.nodes[id]; n != nil {
			next = append(slices.Clone(n.Members), next...)
		}
		for _, to := range next {
			switch state[to] {
			case onStack:
				g.back[[2]string{id, to}] = true
			case unseen:
				visit(to)
			}
		}
		state[id] = finished
	}
	if spec.Start != "" {
		visit(spec.Start)
	}
	for _, n := range spec.Nodes {
		if state[n.ID] == unseen {
			visit(n.ID)
		}
	}
}

// reachable returns the nodes reachable from roots by forward edges and
// group membership, roots included.
func (g *graph) reachable(roots []string) map[string]bool {
	seen := map[string]bool{}
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, to := range g.succ[id] {
			if !g.back[[2]string{id, to}] {
				stack = append(stack, to)
			}
		}
		if n := g.nodes[id]; n != nil {
			stack = append(stack, n.Members...)
		}
	}
	return seen
}

// closure returns the nodes a branch starting at member runs itself: the
// member and every node whose forward predecessors all belong to the
// branch. A successor with a predecessor outside (a join across branches,
// or with the group's own successors) is left to the group's scope.
func (g *graph) closure(member string) map[string]bool {
	in := map[string]bool{member: true}
	for changed := true; changed; {
		changed = false
		for id := range in {
			for _, to := range g.succ[id] {
				if in[to] || g.back[[2]string{id, to}] {
					continue
				}
				all := true
				for _, p := range g.fwdPred[to] {
					all = all && in[p]
				}
				if all {
					in[to], changed = true, true
				}
			}
		}
	}
	return in
}

// subSpec returns the part of the graph a child workflow needs to run the
// given members: every node they reach, by any edge, with the edges into
// those nodes.
func (g *graph) subSpec(spec *wire.Spec, members []string) wire.Spec {
	keep := map[string]bool{}
	stack := slices.Clone(members)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if keep[id] {
			continue
		}
		keep[id] = true
		stack = append(stack, g.succ[id]...)
		if n := g.nodes[id]; n != nil {
			stack = append(stack, n.Members...)
		}
	}
	// The predecessors of kept nodes come along (without running there), so
	// that the child sees which joins wait for nodes outside its branches.
	nodes := maps.Clone(keep)
	sub := wire.Spec{Name: spec.Name, MaxSteps: spec.MaxSteps, Defaults: spec.Defaults, InlineChannel: spec.InlineChannel, NoAwaitingAttribute: spec.NoAwaitingAttribute}
	for _, e := range spec.Edges {
		if keep[e[1]] {
			nodes[e[0]] = true
			sub.Edges = append(sub.Edges, e)
		}
	}
	for _, n := range spec.Nodes {
		if nodes[n.ID] {
			sub.Nodes = append(sub.Nodes, n)
		}
	}
	return sub
}
