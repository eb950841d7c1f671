package graflow

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
)

// GraphNode is one node of a workflow graph as an Executor sees it: a task
// (Task set) or a parallel group (Members set).
type GraphNode struct {
	ID      string
	Task    string
	Info    *TaskInfo
	Params  Params
	Members []string
	Policy  PolicySpec
}

// IsGroup reports whether the node is a parallel group.
func (n GraphNode) IsGroup() bool { return n.Task == "" }

// GraphEdge is a static edge From >> To.
type GraphEdge struct {
	From string
	To   string
}

// builder accumulates nodes, edges and problems as Nodes are added.
type builder struct {
	nodes    map[string]*GraphNode
	order    []string
	edges    []GraphEdge
	edgeSet  map[GraphEdge]bool
	groupIDs map[*Group]string
	autoIDs  []string
	nextAuto int
	problems []error
}

func newBuilder() *builder {
	return &builder{nodes: map[string]*GraphNode{}, edgeSet: map[GraphEdge]bool{}, groupIDs: map[*Group]string{}}
}

func (b *builder) problem(err error) { b.problems = append(b.problems, err) }

func (b *builder) add(id string, n *GraphNode) bool {
	if _, ok := b.nodes[id]; ok {
		return false
	}
	b.nodes[id] = n
	b.order = append(b.order, id)
	return true
}

func (b *builder) task(id, task string, info *TaskInfo, err error, params Params) {
	if old, ok := b.nodes[id]; ok {
		switch {
		case old.Task != task:
			b.problem(fmt.Errorf("%w: id %q is bound to task %q and to %q", ErrInvalidGraph, id, orGroup(old.Task), task))
		case !reflect.DeepEqual(old.Params, params) && !(len(old.Params) == 0 && len(params) == 0):
			b.problem(fmt.Errorf("%w: id %q of task %q is bound twice with different parameters", ErrInvalidGraph, id, task))
		}
		return
	}
	b.add(id, &GraphNode{ID: id, Task: task, Info: info, Params: params})
	switch {
	case err != nil && errors.Is(err, ErrInvalidGraph):
		b.problem(err)
		return
	case err != nil:
		b.problem(fmt.Errorf("%w: %w", ErrInvalidGraph, err))
		return
	case info == nil:
		b.problem(fmt.Errorf("%w: node %q has no task (use NewTask and Task.Instance)", ErrInvalidGraph, id))
		return
	}
	if cerr := checkName("task id", id); cerr != nil {
		b.problem(cerr)
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if !slices.Contains(info.Params, k) {
			b.problem(fmt.Errorf("%w: instance %q of task %q binds unknown parameter %q (parameters: %v)", ErrInvalidGraph, id, task, k, info.Params))
		}
	}
}

func orGroup(task string) string {
	if task == "" {
		return "<parallel group>"
	}
	return task
}

func (b *builder) groupID(g *Group) string {
	if g.name != "" {
		return g.name
	}
	if id, ok := b.groupIDs[g]; ok {
		return id
	}
	for {
		b.nextAuto++
		id := "ParallelGroup_" + strconv.Itoa(b.nextAuto)
		if _, taken := b.nodes[id]; !taken {
			b.groupIDs[g] = id
			b.autoIDs = append(b.autoIDs, id)
			return id
		}
	}
}

func (b *builder) group(id string, g *Group, members []string) {
	spec := Strict().Spec()
	if g.policy != nil {
		spec = g.policy.Spec()
	}
	if old, ok := b.nodes[id]; ok {
		if !old.IsGroup() || !slices.Equal(old.Members, members) {
			b.problem(fmt.Errorf("%w: id %q names two different nodes", ErrInvalidGraph, id))
		}
		return
	}
	b.add(id, &GraphNode{ID: id, Members: members, Policy: spec})
	if len(members) < 2 {
		b.problem(fmt.Errorf("%w: parallel group %q needs at least two members, has %d", ErrInvalidGraph, id, len(members)))
	}
	if err := checkName("group", id); err != nil {
		b.problem(err)
	}
	if err := spec.Check(id, members); err != nil {
		b.problem(err)
	}
}

func (b *builder) edge(from, to string) {
	e := GraphEdge{From: from, To: to}
	if !b.edgeSet[e] {
		b.edgeSet[e] = true
		b.edges = append(b.edges, e)
	}
}

// roots returns the ids with no predecessor that are not group members, sorted.
func (b *builder) roots() []string {
	hasPred := map[string]bool{}
	for _, e := range b.edges {
		hasPred[e.To] = true
	}
	for _, n := range b.nodes {
		for _, m := range n.Members {
			hasPred[m] = true
		}
	}
	var roots []string
	for _, id := range b.order {
		if !hasPred[id] {
			roots = append(roots, id)
		}
	}
	sort.Strings(roots)
	return roots
}
