package examples

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/graflow"
)

// Seed patterns "Dynamic Parallel Group", "Fan-Out (Multiple Endpoints)" and
// "Fan-Out-then-Fan-In (Single Endpoint)". Dynamic groups run each branch
// as a child workflow.

// sortedList reads a list of strings from the channel, sorted.
func sortedList(ch *graflow.Channel, key string) ([]string, error) {
	var list []string
	if err := ch.Get(key, &list); err != nil {
		return nil, err
	}
	slices.Sort(list)
	return list, nil
}

var processItem = graflow.NewTask("process_item", func(ctx *graflow.TaskContext, in struct {
	Item string `json:"item"`
}) (string, error) {
	out := strings.ToUpper(in.Item)
	_, err := ctx.Channel().Append("processed", out)
	return out, err
})

var createWorkers = graflow.NewTask("create_workers", func(ctx *graflow.TaskContext, in struct {
	Items []string `json:"items"`
}) (int, error) {
	if len(in.Items) < 2 {
		return 0, fmt.Errorf("create_workers needs at least two items, got %d", len(in.Items))
	}
	workers := make([]graflow.Node, len(in.Items))
	for i, it := range in.Items {
		workers[i] = processItem.Instance(fmt.Sprintf("worker_%d", i), graflow.Params{"item": it})
	}
	return len(workers), ctx.NextTask(graflow.Parallel(workers[0], workers[1], workers[2:]...))
})

var summarizeWorkers = graflow.NewTask("summarize_workers", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	done, err := sortedList(ctx.Channel(), "processed")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("processed %d items: %s", len(done), strings.Join(done, ", ")), nil
})

type pathIn struct {
	ParentPath string `json:"parent_path"`
}

var branch = graflow.NewTask("branch", func(ctx *graflow.TaskContext, in pathIn) (graflow.None, error) {
	current := "branch"
	if in.ParentPath != "" {
		current = in.ParentPath + ".branch"
	}
	p := graflow.Params{"parent_path": current}
	return graflow.None{}, ctx.NextTask(graflow.Parallel(processA.Instance("", p), processB.Instance("", p)))
})

var processA = graflow.NewTask("process_a", func(ctx *graflow.TaskContext, in pathIn) (graflow.None, error) {
	return graflow.None{}, ctx.NextTask(endpoint.Instance("", graflow.Params{"parent_path": in.ParentPath + ".process_a"}))
})

var processB = graflow.NewTask("process_b", func(ctx *graflow.TaskContext, in pathIn) (graflow.None, error) {
	return graflow.None{}, ctx.NextTask(endpoint.Instance("", graflow.Params{"parent_path": in.ParentPath + ".process_b"}))
})

var endpoint = graflow.NewTask("endpoint", func(ctx *graflow.TaskContext, in pathIn) (string, error) {
	_, err := ctx.Channel().Append("endpoints", in.ParentPath)
	return in.ParentPath, err
})

var reportEndpoints = graflow.NewTask("report_endpoints", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	runs, err := sortedList(ctx.Channel(), "endpoints")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("endpoint ran %d times: %s", len(runs), strings.Join(runs, ", ")), nil
})

var fanRoot = graflow.NewTask("fan_root", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
	group := graflow.Parallel(branchWork.Instance("branch_a", nil), branchWork.Instance("branch_b", nil))
	return graflow.None{}, ctx.NextTask(graflow.Chain(group, integrator.Instance("integrator", nil)))
})

var branchWork = graflow.NewTask("branch_work", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	_, err := ctx.Channel().Append("branches_done", ctx.TaskID())
	return ctx.TaskID(), err
})

var integrator = graflow.NewTask("integrator", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	done, err := sortedList(ctx.Channel(), "branches_done")
	if err != nil {
		return "", err
	}
	if _, err := ctx.Channel().Add("integrator_runs", 1); err != nil {
		return "", err
	}
	return fmt.Sprintf("integrator ran once, after %s", strings.Join(done, " and ")), nil
})

func init() {
	register(Example{
		Name:        "create_workers",
		Description: "dynamic parallel group: create_workers fans out one process_item per channel item",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("create_workers")
			wf.Add(graflow.Chain(createWorkers, summarizeWorkers))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"items": []string{"cherry", "apple", "banana"}})},
		Output:  "processed 3 items: APPLE, BANANA, CHERRY",
		Format:  valueAs[string]("%s"),
	})
	register(Example{
		Name:        "multiple_endpoints",
		Description: "fan-out with multiple endpoints: each branch queues its own endpoint, which runs twice",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("multiple_endpoints")
			wf.Add(graflow.Chain(branch, reportEndpoints))
			return wf
		},
		Output: "endpoint ran 2 times: branch.process_a, branch.process_b",
		Format: valueAs[string]("%s"),
	})
	register(Example{
		Name:        "fan_in",
		Description: "fan-out then fan-in: NextTask(Chain(Parallel(branch_a, branch_b), integrator)) runs integrator once",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("fan_in")
			wf.Add(fanRoot)
			return wf
		},
		Output: "integrator ran once, after branch_a and branch_b",
		Format: valueAs[string]("%s"),
	})
}
