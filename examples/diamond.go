package examples

import (
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Diamond: fetch >> (transform_a | transform_b) >> store. The parallel
// branches run concurrently and store runs once, after both.

var fetch = graflow.NewTask("fetch", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
	return 10, nil
})

type fetched struct {
	Fetch int `json:"fetch"`
}

var transformA = graflow.NewTask("transform_a", func(ctx *graflow.TaskContext, in fetched) (int, error) {
	return in.Fetch * 2, nil
})

var transformB = graflow.NewTask("transform_b", func(ctx *graflow.TaskContext, in fetched) (int, error) {
	return in.Fetch + 5, nil
})

var store = graflow.NewTask("store", func(ctx *graflow.TaskContext, in struct {
	A int `json:"transform_a"`
	B int `json:"transform_b"`
}) (string, error) {
	return fmt.Sprintf("stored transform_a=%d transform_b=%d sum=%d", in.A, in.B, in.A+in.B), nil
})

func init() {
	register(Example{
		Name:        "diamond",
		Description: "fan-out/fan-in: fetch >> (transform_a | transform_b) >> store",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("diamond")
			wf.Add(graflow.Chain(fetch, graflow.Parallel(transformA, transformB), store))
			return wf
		},
		Output: "stored transform_a=20 transform_b=15 sum=35",
		Format: valueAs[string]("%s"),
	})
}
