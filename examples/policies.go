package examples

import (
	"fmt"
	"strings"

	"github.com/graflow-go/graflow/graflow"
)

// Graflow's parallel group error policies, with Graflow's constructor
// shape: four sources fetched in parallel, source_c fails.

var source = graflow.NewTask("source", func(ctx *graflow.TaskContext, in struct {
	Fail bool `json:"fail"`
}) (string, error) {
	if in.Fail {
		return "", fmt.Errorf("%s is unreachable", ctx.TaskID())
	}
	return "data from " + ctx.TaskID(), nil
})

// sourceIDs are the members of every policy example's group.
var sourceIDs = []string{"source_a", "source_b", "source_c", "source_d"}

// report lists which sources delivered (their results are in the channel)
// and which did not.
var report = graflow.NewTask("report_sources", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	var ok, failed []string
	for _, id := range sourceIDs {
		if ctx.Channel().Has(graflow.ResultKey(id)) {
			ok = append(ok, id)
		} else {
			failed = append(failed, id)
		}
	}
	return fmt.Sprintf("succeeded: %s; failed: %s", strings.Join(ok, ", "), strings.Join(failed, ", ")), nil
})

func sources() []graflow.Node {
	nodes := make([]graflow.Node, len(sourceIDs))
	for i, id := range sourceIDs {
		nodes[i] = source.Instance(id, graflow.Params{"fail": id == "source_c"})
	}
	return nodes
}

func policyExample(name, about string, opts graflow.GroupOptions, output string, fails bool) {
	register(Example{
		Name:        name,
		Description: about,
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow(name)
			wf.Add(graflow.Chain(graflow.NewParallelGroup(sources(), opts), report))
			return wf
		},
		Fails:  fails,
		Output: output,
		Format: valueAs[string]("%s"),
	})
}

func init() {
	policyExample("policy_strict", "Strict group (the default): one failing member fails the group, the report never runs",
		graflow.GroupOptions{Name: "fetch_all"},
		`parallel group "fetch_all" failed (strict policy): 1 failed [source_c: task "source_c" failed (attempt 1): source_c is unreachable], 3 succeeded`, true)
	policyExample("policy_best_effort", "BestEffort group: failures are tolerated, the failed branch leaves no writes",
		graflow.GroupOptions{Name: "fetch_any", Policy: graflow.BestEffort()},
		"succeeded: source_a, source_b, source_d; failed: source_c", false)
	policyExample("policy_at_least", "AtLeast(2) group (seed: min_successes=2): enough members succeeded",
		graflow.GroupOptions{Name: "fetch_two", MinSuccesses: 2},
		"succeeded: source_a, source_b, source_d; failed: source_c", false)
	policyExample("policy_critical", "CriticalOnly(source_a, source_b) group (seed: critical_tasks): an optional member failed",
		graflow.GroupOptions{Name: "fetch_critical", CriticalTasks: []string{"source_a", "source_b"}},
		"succeeded: source_a, source_b, source_d; failed: source_c", false)
}
