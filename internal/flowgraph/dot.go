package flowgraph

import (
	"fmt"
	"strconv"
	"strings"
)

// Dot returns g as a Graphviz digraph (left to right): groups are
// clusters, nodes added at run time hang from the task that added them by a
// dashed edge, an edge into or out of a group ends at its box, and nodes with
// a state are filled with that state's colour.
func Dot(g Graph) string {
	l := newLayout(&g)
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", strconv.Quote(g.Name))
	b.WriteString("  rankdir=LR;\n  compound=true;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n")
	var node func(n Node, indent string)
	node = func(n Node, indent string) {
		if !isGroup(n) {
			attrs := "label=" + strconv.Quote(label(n))
			if c, ok := colours[n.State]; ok {
				attrs += fmt.Sprintf(", fillcolor=%q, color=%q, tooltip=%q", c[0], c[1], string(n.State))
			}
			fmt.Fprintf(&b, "%s%s [%s];\n", indent, strconv.Quote(n.ID), attrs)
			return
		}
		fmt.Fprintf(&b, "%ssubgraph %s {\n%s  label=%s;\n", indent, strconv.Quote("cluster_"+n.ID), indent, strconv.Quote(label(n)))
		if c, ok := colours[n.State]; ok {
			fmt.Fprintf(&b, "%s  color=%q;\n", indent, c[1])
		}
		for _, m := range l.shown[n.ID] {
			if mn := g.Node(m); mn != nil && l.parent[m] == n.ID {
				node(*mn, indent+"  ")
			}
		}
		if more := l.hidden[n.ID]; more > 0 {
			fmt.Fprintf(&b, "%s  %s [label=%s, style=dashed];\n", indent, strconv.Quote(n.ID+"/more"), strconv.Quote(fmt.Sprintf("… %d more", more)))
		}
		fmt.Fprintf(&b, "%s}\n", indent)
	}
	for _, n := range l.roots() {
		node(n, "  ")
	}
	edges := l.edges(g.Edges)
	spawns := len(edges)
	edges = append(edges, l.edges(g.Spawns)...)
	for i, e := range edges {
		from, to := l.anchor(e[0]), l.anchor(e[1])
		var attrs []string
		if i >= spawns {
			attrs = append(attrs, "style=dashed")
		}
		if from != e[0] {
			attrs = append(attrs, "ltail="+strconv.Quote("cluster_"+e[0]))
		}
		if to != e[1] {
			attrs = append(attrs, "lhead="+strconv.Quote("cluster_"+e[1]))
		}
		suffix := ""
		if len(attrs) > 0 {
			suffix = " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintf(&b, "  %s -> %s%s;\n", strconv.Quote(from), strconv.Quote(to), suffix)
	}
	b.WriteString("}\n")
	return b.String()
}

// anchor is the node an edge to or from id is drawn at: id itself for a
// task, the first drawn task inside a group (Graphviz clips the edge at the
// group's box).
func (l *layout) anchor(id string) string {
	for {
		n := l.g.Node(id)
		if n == nil || !isGroup(*n) || len(l.shown[id]) == 0 {
			return id
		}
		id = l.shown[id][0]
	}
}
