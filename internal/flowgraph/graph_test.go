package flowgraph

import (
	"fmt"
	"testing"

	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
)

func TestMermaidIDsAndLabels(t *testing.T) {
	g := FromSpec("w", []wire.NodeSpec{
		{ID: "a/b", Task: "t"}, {ID: "a_b", Task: "a_b"}, {ID: `say "hi" <x>`, Task: "say"},
	}, [][2]string{{"a/b", "a_b"}})
	assert.Equal(t, `flowchart LR
  n_a_b["a/b (t)"]
  n_a_b_2["a_b"]
  n_say__hi___x_["say #quot;hi#quot; #lt;x#gt; (say)"]
  n_a_b --> n_a_b_2
`, Mermaid(g))
}

// A group of more than MaxMembersShown members draws the first ones and a
// "more" node; edges of hidden members are left out.
func TestLargeGroup(t *testing.T) {
	nodes := []wire.NodeSpec{{ID: "src", Task: "src"}}
	var members []string
	var edges [][2]string
	for i := range 20 {
		id := fmt.Sprintf("m%02d", i)
		members = append(members, id)
		nodes = append(nodes, wire.NodeSpec{ID: id, Task: "work"})
		edges = append(edges, [2]string{id, "sink"})
	}
	nodes = append(nodes, wire.NodeSpec{ID: "G", Members: members, Policy: &wire.Policy{Type: "best_effort"}, Dynamic: true},
		wire.NodeSpec{ID: "sink", Task: "sink"})
	g := FromSpec("w", nodes, append(edges, [2]string{"src", "G"}))
	g.SetState("m00", Done)
	m := Mermaid(g)
	assert.Contains(t, m, `subgraph n_G ["G: 20 branches, best_effort"]`)
	assert.Contains(t, m, `n_G_more["… 12 more"]`)
	assert.Contains(t, m, "n_m07 --> n_sink")
	assert.NotContains(t, m, "n_m08")
	assert.Contains(t, m, "class n_m00 done")
	d := Dot(g)
	assert.Contains(t, d, `"src" -> "m00" [lhead="cluster_G"];`)
	assert.Contains(t, d, `"G/more" [label="… 12 more", style=dashed];`)
	assert.NotContains(t, d, `"m08"`)
}
