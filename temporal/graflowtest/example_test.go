package graflowtest_test

import (
	"context"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

// A workflow unit-tested on the SDK's in-memory test environment: the real
// interpreter and task runner, no server.
func ExampleNewExecutor() {
	reg := graflow.NewRegistry()
	fetch := graflow.NewTask("fetch", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		return 10, nil
	}, graflow.WithRegistry(reg))
	double := graflow.NewTask("double", func(ctx *graflow.TaskContext, in struct {
		Fetch int `json:"fetch"`
	}) (int, error) {
		return in.Fetch * 2, nil
	}, graflow.WithRegistry(reg))

	wf := graflow.NewWorkflow("demo")
	wf.Add(graflow.Chain(fetch, double))
	res, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	var out int
	_ = res.Value(&out)
	fmt.Println(out)
	// Output: 20
}
