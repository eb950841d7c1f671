package graflow

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// graphNode is one node of a workflow graph as it is built: a task (Task
// set) or a parallel group (Members set).
type graphNode struct {
	ID      string
	Task    string
	Info    *taskInfo
	Params  Params
	Members []string
	Policy  wire.Policy
}

// IsGroup reports whether the node is a parallel group.
func (n graphNode) IsGroup() bool { return n.Task == "" }

// view returns the node as an executor sees it.
func (n graphNode) view() core.GraphNode {
	c := core.GraphNode{ID: n.ID, Task: n.Task, Params: n.Params, Members: n.Members, Policy: n.Policy}
	if n.Info != nil {
		c.Inputs, c.Options = n.Info.Params, n.Info.Options
	}
	return c
}

// builder accumulates nodes, edges and problems as Nodes are added.
type builder struct {
	nodes    map[string]*graphNode
	order    []string
	edges    []core.GraphEdge
	edgeSet  map[core.GraphEdge]bool
	groupIDs map[*Group]string
	autoIDs  []string
	nextAuto int
	problems []error
}

func newBuilder() *builder {
	return &builder{nodes: map[string]*graphNode{}, edgeSet: map[core.GraphEdge]bool{}, groupIDs: map[*Group]string{}}
}

func (b *builder) problem(err error) { b.problems = append(b.problems, err) }

func (b *builder) add(id string, n *graphNode) bool {
	if _, ok := b.nodes[id]; ok {
		return false
	}
	b.nodes[id] = n
	b.order = append(b.order, id)
	return true
}

func (b *builder) task(id, task string, info *taskInfo, err error, params Params) {
	if old, ok := b.nodes[id]; ok {
		switch {
		case old.Task != task:
			b.problem(fmt.Errorf("%w: id %q is bound to task %q and to %q", ErrInvalidGraph, id, orGroup(old.Task), task))
		case !reflect.DeepEqual(old.Params, params) && !(len(old.Params) == 0 && len(params) == 0):
			b.problem(fmt.Errorf("%w: id %q of task %q is bound twice with different parameters", ErrInvalidGraph, id, task))
		}
		return
	}
	b.add(id, &graphNode{ID: id, Task: task, Info: info, Params: params})
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
	spec := Strict().spec()
	if g.policy != nil {
		spec = g.policy.spec()
	}
	if old, ok := b.nodes[id]; ok {
		if !old.IsGroup() || !slices.Equal(old.Members, members) {
			b.problem(fmt.Errorf("%w: id %q names two different nodes", ErrInvalidGraph, id))
		}
		return
	}
	b.add(id, &graphNode{ID: id, Members: members, Policy: spec})
	if len(members) < 2 {
		b.problem(fmt.Errorf("%w: parallel group %q needs at least two members, has %d", ErrInvalidGraph, id, len(members)))
	}
	if err := checkName("group", id); err != nil {
		b.problem(err)
	}
	if err := checkPolicy(spec, id, members); err != nil {
		b.problem(err)
	}
}

func (b *builder) edge(from, to string) {
	e := core.GraphEdge{From: from, To: to}
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
