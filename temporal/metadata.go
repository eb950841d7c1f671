package temporal

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/wire"
)

// maxSummaryRunes bounds a run's summary, a single line in the Web UI.
const maxSummaryRunes = 200

// RunSummary is what the Web UI shows as a run's summary: the workflow's
// flow expression ("fetch >> (a | b) >> store").
func RunSummary(wf *graflow.Workflow) string {
	s := wf.String()
	if s == "" {
		return "graflow: " + wf.Name()
	}
	if r := []rune(s); len(r) > maxSummaryRunes {
		s = string(r[:maxSummaryRunes-1]) + "…"
	}
	return s
}

// RunDetails is what the Web UI shows as a run's details (markdown): a
// headline and the workflow's graph as a Mermaid chart. With RunSummary it
// is what Runner sets on each run; a start from another client may set them
// too (client.StartWorkflowOptions StaticSummary and StaticDetails).
func RunDetails(wf *graflow.Workflow) (string, error) {
	in, err := engine.Compile(wf, engine.RunConfig{})
	if err != nil {
		return "", err
	}
	return runDetails(&in.Spec), nil
}

func runDetails(spec *wire.Spec) string {
	tasks, groups := 0, 0
	for _, n := range spec.Nodes {
		if n.Task != "" {
			tasks++
		} else {
			groups++
		}
	}
	g := flowgraph.FromSpec(spec.Name, spec.Nodes, spec.Edges)
	return fmt.Sprintf("**graflow workflow `%s`**: %s, %s. Follow it with `starter describe <workflow-id>`.\n\n```mermaid\n%s```\n",
		spec.Name, plural(tasks, "task"), plural(groups, "parallel group"), flowgraph.Mermaid(g))
}

// showProgress sets the run's current details, which the Web UI shows
// live: task runs so far and the tasks running now. It adds no history
// event (the UI reads it by query).
func (r *run) showProgress(ctx workflow.Context) {
	var running []string
	for _, id := range slices.Sorted(maps.Keys(r.scopes)) {
		if s := r.scopes[id]; s.running != "" && r.g.nodes[s.running] != nil && r.g.nodes[s.running].Task != "" {
			running = append(running, s.running)
		}
	}
	line := "**" + plural(r.steps, "task run") + "**"
	if len(running) > 0 {
		shown := running[:min(len(running), 10)]
		line += " · running: " + strings.Join(shown, ", ")
		if more := len(running) - len(shown); more > 0 {
			line += fmt.Sprintf(" and %d more", more)
		}
	}
	pending := 0
	if r.fb != nil {
		for _, rec := range r.fb.Requests {
			if rec.Open() {
				pending++
			}
		}
	}
	if pending > 0 {
		line += " · " + plural(pending, "feedback request") + " waiting (`starter feedback list`)"
	}
	for _, id := range slices.Sorted(maps.Keys(r.unserved)) {
		line += fmt.Sprintf(" · task %s waits for a worker: %s", id, r.unserved[id])
	}
	if workflow.GetCurrentDetails(ctx) != line {
		workflow.SetCurrentDetails(ctx, line)
	}
}

// plural is "1 task", "2 tasks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
