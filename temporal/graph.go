package temporal

import "slices"

// graph is the interpreter's index of a Spec: successors in edge order, the
// back edges that close cycles, and each node's forward predecessors (the
// ones a join waits for).
type graph struct {
	nodes   map[string]*NodeSpec
	succ    map[string][]string
	back    map[[2]string]bool
	fwdPred map[string][]string
}

func newGraph(spec *Spec) *graph {
	g := &graph{nodes: map[string]*NodeSpec{}, succ: map[string][]string{}, back: map[[2]string]bool{}, fwdPred: map[string][]string{}}
	for i := range spec.Nodes {
		g.nodes[spec.Nodes[i].ID] = &spec.Nodes[i]
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

// findBackEdges marks, by depth-first search from the start node and then
// from every node in spec order, the edges that point to a node still on the
// search stack.
func (g *graph) findBackEdges(spec *Spec) {
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
