package flowgraph

import (
	"fmt"
	"slices"

	"github.com/graflow-go/graflow/internal/wire"
)

// State is what became of a node in a run ("" = not reached).
type State string

// States of a node, as describe and graph show them.
const (
	NotReached State = ""
	Scheduled  State = "scheduled"
	Running    State = "running"
	Retrying   State = "retrying"
	Waiting    State = "waiting for feedback"
	Done       State = "done"
	Failed     State = "failed"
	Canceled   State = "canceled"
)

// MaxMembersShown bounds the members drawn per group: a dynamic group of a
// thousand branches is drawn with its first ones and a "… N more" node.
const MaxMembersShown = 8

// Node is a task or a group of a run's graph.
type Node struct {
	ID string
	// Task is the task's name ("" for a group).
	Task string
	// Members are a group's member ids.
	Members []string
	// Policy is a group's error policy ("strict", "best_effort", …).
	Policy string
	// Dynamic marks a group added at run time (its branches run as child runs).
	Dynamic bool
	State   State
}

// Graph is the nodes and edges of a run, in the order they were added.
type Graph struct {
	Name  string
	Nodes []Node
	Edges [][2]string
	// Spawns are (task, node) pairs: the task added the node at run time
	// (NextTask) or jumped to it (Goto). Drawn dashed.
	Spawns [][2]string
	// idx indexes Nodes by id (built on first use; copies of a Graph share
	// it, so an index is checked against the copy's nodes).
	idx map[string]int
}

// FromSpec returns the graph of compiled nodes and edges, with no states.
func FromSpec(name string, nodes []wire.NodeSpec, edges [][2]string) Graph {
	g := Graph{Name: name, Edges: slices.Clone(edges)}
	for _, n := range nodes {
		g.Nodes = append(g.Nodes, nodeOf(n))
	}
	return g
}

// Add appends nodes and edges added at run time; a known node or edge is
// not added twice.
func (g *Graph) Add(nodes []wire.NodeSpec, edges [][2]string) {
	for _, n := range nodes {
		if g.index(n.ID) < 0 {
			g.Nodes = append(g.Nodes, nodeOf(n))
			g.idx[n.ID] = len(g.Nodes) - 1
		}
	}
	for _, e := range edges {
		if !slices.Contains(g.Edges, e) {
			g.Edges = append(g.Edges, e)
		}
	}
}

// AddSpawn records that task from added or jumped to node to.
func (g *Graph) AddSpawn(from, to string) {
	if e := [2]string{from, to}; !slices.Contains(g.Spawns, e) {
		g.Spawns = append(g.Spawns, e)
	}
}

// SetState sets the state of node id, when the graph has it.
func (g *Graph) SetState(id string, s State) {
	if i := g.index(id); i >= 0 {
		g.Nodes[i].State = s
	}
}

// Node returns the node id, or nil.
func (g *Graph) Node(id string) *Node {
	if i := g.index(id); i >= 0 {
		return &g.Nodes[i]
	}
	return nil
}

func (g *Graph) index(id string) int {
	if len(g.idx) != len(g.Nodes) {
		g.idx = make(map[string]int, len(g.Nodes))
		for i, n := range g.Nodes {
			g.idx[n.ID] = i
		}
	}
	if i, ok := g.idx[id]; ok && i < len(g.Nodes) && g.Nodes[i].ID == id {
		return i
	}
	return -1
}

func nodeOf(n wire.NodeSpec) Node {
	out := Node{ID: n.ID, Task: n.Task, Members: n.Members, Dynamic: n.Dynamic}
	if n.Policy != nil {
		out.Policy = n.Policy.Type
	}
	return out
}

// layout is a graph prepared for drawing: which group each node is drawn
// in, and the members drawn per group (at most MaxMembersShown).
type layout struct {
	g      *Graph
	parent map[string]string
	shown  map[string][]string
	hidden map[string]int
}

func newLayout(g *Graph) *layout {
	l := &layout{g: g, parent: map[string]string{}, shown: map[string][]string{}, hidden: map[string]int{}}
	for _, n := range g.Nodes {
		ms := n.Members
		if len(ms) > MaxMembersShown {
			l.hidden[n.ID] = len(ms) - MaxMembersShown
			ms = ms[:MaxMembersShown]
		}
		l.shown[n.ID] = ms
		for _, m := range n.Members {
			if _, ok := l.parent[m]; !ok && m != n.ID {
				l.parent[m] = n.ID
			}
		}
	}
	return l
}

// drawn reports whether node id is drawn: it is not a hidden member of a
// large group (nor reached only through one).
func (l *layout) drawn(id string) bool {
	for p, ok := l.parent[id]; ok; p, ok = l.parent[id] {
		if !slices.Contains(l.shown[p], id) {
			return false
		}
		id = p
	}
	return true
}

// roots are the drawn nodes outside any group, in graph order.
func (l *layout) roots() []Node {
	var out []Node
	for _, n := range l.g.Nodes {
		if _, in := l.parent[n.ID]; !in {
			out = append(out, n)
		}
	}
	return out
}

// edges are the edges between drawn nodes (of es: Edges or Spawns).
func (l *layout) edges(es [][2]string) [][2]string {
	var out [][2]string
	for _, e := range es {
		if l.drawn(e[0]) && l.drawn(e[1]) && l.g.index(e[0]) >= 0 && l.g.index(e[1]) >= 0 {
			out = append(out, e)
		}
	}
	return out
}

// label is the text of a node: its id, with its task's name when that
// differs, and a group's policy.
func label(n Node) string {
	switch {
	case n.Task != "" && n.Task != n.ID:
		return fmt.Sprintf("%s (%s)", n.ID, n.Task)
	case n.Task == "" && n.Dynamic:
		return fmt.Sprintf("%s: %d branches, %s", n.ID, len(n.Members), n.Policy)
	case n.Task == "" && n.Policy != "" && n.Policy != "strict":
		return fmt.Sprintf("%s (%s)", n.ID, n.Policy)
	}
	return n.ID
}

// isGroup reports whether n is drawn as a box around members.
func isGroup(n Node) bool { return n.Task == "" && len(n.Members) > 0 }

// colours of the states: fill and stroke.
var colours = map[State][2]string{
	Scheduled: {"#eceff1", "#78909c"},
	Running:   {"#bbdefb", "#1e88e5"},
	Retrying:  {"#ffe0b2", "#fb8c00"},
	Waiting:   {"#fff9c4", "#f9a825"},
	Done:      {"#c8e6c9", "#43a047"},
	Failed:    {"#ffcdd2", "#e53935"},
	Canceled:  {"#e0e0e0", "#757575"},
}

// stateOrder is the order of the states in legends and class definitions.
var stateOrder = []State{Scheduled, Running, Retrying, Waiting, Done, Failed, Canceled}
