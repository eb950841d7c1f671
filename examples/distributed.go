package examples

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/graflow"
)

// Seed section "Distributed Execution": Graflow needs Redis queues, a Redis
// channel and a Redis coordinator for this; here every run is a Temporal
// workflow, so the same graph is distributed as soon as several workers
// poll its task queue (`go run ./cmd/worker --worker-id worker-2`): each
// branch of the group is an activity any worker may take, the channel
// lives in the workflow, and the group's barrier is the interpreter
// itself. A crashed worker's task moves to another worker.

var distFetch = graflow.NewTask("dist_fetch", func(ctx *graflow.TaskContext, _ graflow.None) ([]int, error) {
	return []int{3, 1, 2}, nil
})

var distProcess = graflow.NewTask("dist_process", func(ctx *graflow.TaskContext, in struct {
	Data   []int `json:"dist_fetch"`
	Factor int   `json:"factor"`
}) (int, error) {
	sum := 0
	for _, v := range in.Data {
		sum += v * in.Factor
	}
	_, err := ctx.Channel().Append("partials", fmt.Sprintf("%s=%d", ctx.TaskID(), sum))
	return sum, err
})

var distAggregate = graflow.NewTask("dist_aggregate", func(ctx *graflow.TaskContext, in struct {
	Partials []string `json:"partials"`
}) (string, error) {
	slices.Sort(in.Partials)
	return "aggregated " + strings.Join(in.Partials, ", "), nil
})

func init() {
	register(Example{
		Name:        "distributed",
		Description: "distributed workflow: fetch >> (process_a | process_b | process_c) >> aggregate across every worker on the queue",
		Workflow: func() *graflow.Workflow {
			group := graflow.NewParallelGroup([]graflow.Node{
				distProcess.Instance("process_a", graflow.Params{"factor": 1}),
				distProcess.Instance("process_b", graflow.Params{"factor": 10}),
				distProcess.Instance("process_c", graflow.Params{"factor": 100}),
			}, graflow.GroupOptions{Name: "distributed_group"})
			wf := graflow.NewWorkflow("distributed")
			wf.Add(graflow.Chain(distFetch, group, distAggregate))
			return wf
		},
		Output: "aggregated process_a=6, process_b=60, process_c=600",
		Format: valueAs[string]("%s"),
	})
}
