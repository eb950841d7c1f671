package graflow

import (
	"slices"
	"strings"
)

// Group is a parallel group: its members run concurrently as branches, each
// with a snapshot of the channel; the group's successors run once the policy
// is met. Build one with Parallel or NewParallelGroup.
type Group struct {
	members []Node
	name    string
	policy  Policy
}

// Parallel groups nodes to run concurrently: Parallel(a, b, c) is Graflow's
// a | b | c. An unnamed group without a policy given as a member is merged
// into the new group, so Parallel(a, Parallel(b, c)) has three members.
func Parallel(a, b Node, rest ...Node) *Group {
	g := &Group{}
	for _, n := range append([]Node{a, b}, rest...) {
		if inner, ok := n.(*Group); ok && inner != nil && inner.name == "" && inner.policy == nil {
			g.members = append(g.members, inner.members...)
		} else {
			g.members = append(g.members, n)
		}
	}
	return g
}

// GroupOptions is Graflow's constructor shape for a parallel group.
// MinSuccesses and CriticalTasks are shorthands used only when Policy is nil.
type GroupOptions struct {
	Name          string
	Policy        Policy
	MinSuccesses  int
	CriticalTasks []string
}

// NewParallelGroup builds a group from a member list and options. Members
// are kept as given (no merging of inner groups). A group needs at least two
// members; Workflow.Validate reports one with fewer.
func NewParallelGroup(tasks []Node, opts GroupOptions) *Group {
	g := &Group{name: opts.Name, policy: opts.Policy}
	g.members = append(g.members, tasks...)
	if g.policy == nil {
		switch {
		case len(opts.CriticalTasks) > 0:
			g.policy = CriticalOnly(opts.CriticalTasks...)
		case opts.MinSuccesses > 0:
			g.policy = AtLeast(opts.MinSuccesses)
		}
	}
	return g
}

// Named sets the group's id (Graflow's set_group_name) and returns g.
// Unnamed groups get ParallelGroup_<n> in the order a workflow meets them.
func (g *Group) Named(name string) *Group {
	g.name = name
	return g
}

// WithPolicy sets the group's error policy (default Strict) and returns g.
func (g *Group) WithPolicy(p Policy) *Group {
	g.policy = p
	return g
}

// Name returns the name given with Named, or "".
func (g *Group) Name() string { return g.name }

// Members returns the group's member nodes.
func (g *Group) Members() []Node { return slices.Clone(g.members) }

// String prints the members joined by " | "; a named group prints as
// name:(a | b). A chain member needs no parentheses (">>" binds tighter
// than "|"); an unnamed group member is parenthesized, so that ParseFlow
// keeps it nested. Policies are not printed.
func (g *Group) String() string {
	parts := make([]string, len(g.members))
	for i, m := range g.members {
		parts[i] = nodeString(m)
		if inner, ok := m.(*Group); ok && inner != nil && inner.name == "" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	s := strings.Join(parts, " | ")
	if g.name != "" {
		return g.name + ":(" + s + ")"
	}
	return s
}

func (g *Group) build(b *builder) (string, string) {
	id := b.groupID(g)
	members := make([]string, 0, len(g.members))
	for _, m := range g.members {
		if entry, _ := buildNode(b, m); entry != "" {
			members = append(members, entry)
		}
	}
	b.group(id, g, members)
	return id, id
}
