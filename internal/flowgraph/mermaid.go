package flowgraph

import (
	"fmt"
	"strings"
)

// Mermaid returns g as a Mermaid flowchart (left to right): groups are
// subgraphs, nodes added at run time hang from the task that added them by
// a dashed edge, and nodes with a state get that state's class and colour.
func Mermaid(g Graph) string {
	l := newLayout(&g)
	ids := mermaidIDs(g)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	used := map[State][]string{}
	var node func(n Node, indent string)
	node = func(n Node, indent string) {
		if !isGroup(n) {
			fmt.Fprintf(&b, "%s%s[\"%s\"]\n", indent, ids[n.ID], mermaidText(label(n)))
		} else {
			fmt.Fprintf(&b, "%ssubgraph %s [\"%s\"]\n", indent, ids[n.ID], mermaidText(label(n)))
			for _, m := range l.shown[n.ID] {
				if mn := g.Node(m); mn != nil && l.parent[m] == n.ID {
					node(*mn, indent+"  ")
				}
			}
			if more := l.hidden[n.ID]; more > 0 {
				fmt.Fprintf(&b, "%s  %s_more[\"… %d more\"]\n", indent, ids[n.ID], more)
			}
			fmt.Fprintf(&b, "%send\n", indent)
		}
		if n.State != NotReached {
			used[n.State] = append(used[n.State], ids[n.ID])
		}
	}
	for _, n := range l.roots() {
		node(n, "  ")
	}
	for _, e := range l.edges(g.Edges) {
		fmt.Fprintf(&b, "  %s --> %s\n", ids[e[0]], ids[e[1]])
	}
	for _, e := range l.edges(g.Spawns) {
		fmt.Fprintf(&b, "  %s -.-> %s\n", ids[e[0]], ids[e[1]])
	}
	for _, s := range stateOrder {
		if len(used[s]) == 0 {
			continue
		}
		c := colours[s]
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s\n", className(s), c[0], c[1])
		fmt.Fprintf(&b, "  class %s %s\n", strings.Join(used[s], ","), className(s))
	}
	return b.String()
}

// mermaidIDs gives every node an identifier Mermaid accepts (letters,
// digits, _), unique even when two ids differ only in other characters.
func mermaidIDs(g Graph) map[string]string {
	out := make(map[string]string, len(g.Nodes))
	taken := map[string]bool{}
	for _, n := range g.Nodes {
		id := "n_" + strings.Map(func(r rune) rune {
			if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return '_'
		}, n.ID)
		for base, i := id, 2; taken[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		taken[id] = true
		out[n.ID] = id
	}
	return out
}

// mermaidText escapes a label for a quoted Mermaid string.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}

func className(s State) string { return strings.ReplaceAll(string(s), " ", "_") }
