package examples

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/graflow"
)

// stage is a generic step for the multi-stage examples: it checks that every
// task of earlier stages has run (and nothing of its own or later stages is
// visible to it), records itself in the channel list "trace" and returns the
// trace it saw plus itself.
var stage = graflow.NewTask("stage", func(ctx *graflow.TaskContext, in struct {
	Stage int `json:"stage"`
	After int `json:"after"`
}) ([]string, error) {
	var trace []string
	if ctx.Channel().Has("trace") {
		if err := ctx.Channel().Get("trace", &trace); err != nil {
			return nil, err
		}
	}
	if len(trace) != in.After {
		return nil, fmt.Errorf("%s (stage %d) saw %d earlier tasks %v, want %d", ctx.TaskID(), in.Stage, len(trace), trace, in.After)
	}
	me := fmt.Sprintf("%d:%s", in.Stage, ctx.TaskID())
	if _, err := ctx.Channel().Append("trace", me); err != nil {
		return nil, err
	}
	return append(trace, me), nil
})

// stages builds instances of stage: one per name, all in stage s, each
// expecting after earlier tasks.
func stages(s, after int, names ...string) []graflow.Node {
	out := make([]graflow.Node, len(names))
	for i, n := range names {
		out[i] = stage.Instance(n, graflow.Params{"stage": s, "after": after})
	}
	return out
}

// formatTrace prints the final trace grouped by stage, members sorted, as a
// Graflow expression: "a >> (b | c) >> d".
func formatTrace(res *graflow.Result) (string, error) {
	var trace []string
	if err := res.Value(&trace); err != nil {
		return "", err
	}
	byStage := map[string][]string{}
	var order []string
	for _, t := range trace {
		s, id, _ := strings.Cut(t, ":")
		if _, seen := byStage[s]; !seen {
			order = append(order, s)
		}
		byStage[s] = append(byStage[s], id)
	}
	parts := make([]string, len(order))
	for i, s := range order {
		ids := byStage[s]
		slices.Sort(ids)
		parts[i] = strings.Join(ids, " | ")
		if len(ids) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return fmt.Sprintf("%d tasks ran in order: %s", len(trace), strings.Join(parts, " >> ")), nil
}

func init() {
	register(Example{
		Name:        "multistage",
		Description: "(load_a | load_b) >> validate >> (process_a | process_b) >> finish",
		Workflow: func() *graflow.Workflow {
			loads, processes := stages(1, 0, "load_a", "load_b"), stages(3, 3, "process_a", "process_b")
			wf := graflow.NewWorkflow("multistage")
			wf.Add(graflow.Chain(
				graflow.Parallel(loads[0], loads[1]),
				stages(2, 2, "validate")[0],
				graflow.Parallel(processes[0], processes[1]),
				stages(4, 5, "finish")[0],
			))
			return wf
		},
		Output: "6 tasks ran in order: (load_a | load_b) >> validate >> (process_a | process_b) >> finish",
		Format: formatTrace,
	})
	register(Example{
		Name:        "complex",
		Description: "a >> (b | c) >> d >> (e | f | g) >> h",
		Workflow: func() *graflow.Workflow {
			bc, efg := stages(2, 1, "b", "c"), stages(4, 4, "e", "f", "g")
			wf := graflow.NewWorkflow("complex")
			wf.Add(graflow.Chain(
				stages(1, 0, "a")[0],
				graflow.Parallel(bc[0], bc[1]),
				stages(3, 3, "d")[0],
				graflow.Parallel(efg[0], efg[1], efg[2]),
				stages(5, 7, "h")[0],
			))
			return wf
		},
		Output: "8 tasks ran in order: a >> (b | c) >> d >> (e | f | g) >> h",
		Format: formatTrace,
	})
}
