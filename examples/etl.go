package examples

import (
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// ETL: extract >> transform >> load. Each task names its upstream task as a
// parameter and so receives that task's result. The steps are short, so the
// whole workflow runs them as local activities (WithLocal as a default).

var extract = graflow.NewTask("extract", func(ctx *graflow.TaskContext, _ graflow.None) ([]int, error) {
	return []int{1, 2, 3, 4, 5}, nil
})

var transform = graflow.NewTask("transform", func(ctx *graflow.TaskContext, in struct {
	Extract []int `json:"extract"`
}) ([]int, error) {
	out := make([]int, len(in.Extract))
	for i, v := range in.Extract {
		out[i] = v * 10
	}
	return out, nil
})

var load = graflow.NewTask("load", func(ctx *graflow.TaskContext, in struct {
	Transform []int `json:"transform"`
}) (string, error) {
	sum := 0
	for _, v := range in.Transform {
		sum += v
	}
	if err := ctx.Channel().Set("loaded_total", sum); err != nil {
		return "", err
	}
	return fmt.Sprintf("loaded %d records, total %d", len(in.Transform), sum), nil
})

func init() {
	register(Example{
		Name:        "etl",
		Description: "chain: extract >> transform >> load, results passed by upstream task name",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("etl", graflow.WithDefaultTaskOptions(graflow.WithLocal()))
			wf.Add(graflow.Chain(extract, transform, load))
			return wf
		},
		Output: "loaded 5 records, total 150",
		Format: valueAs[string]("%s"),
	})
}
