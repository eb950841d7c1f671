package temporal_test

import (
	"context"
	"fmt"
	"log"

	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// Running a workflow on a Temporal server: a worker runs the interpreter and
// the tasks; the Runner starts the run and waits for its result.
func ExampleNewRunner() {
	ctx := context.Background()
	c, err := client.Dial(client.Options{HostPort: "127.0.0.1:7233"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	hello := graflow.NewTask("hello", func(ctx *graflow.TaskContext, in struct {
		Name string `json:"name"`
	}) (string, error) {
		return "Hello " + in.Name, nil
	})

	w, err := temporal.NewWorker(c, "graflow", temporal.WorkerOptions{Identity: "example"})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Start(); err != nil {
		log.Fatal(err)
	}
	defer w.Stop()

	wf := graflow.NewWorkflow("hello")
	wf.Add(hello)
	res, err := wf.Execute(ctx, temporal.NewRunner(c, temporal.RunnerOptions{TaskQueue: "graflow"}),
		graflow.InitialChannel(map[string]any{"name": "Temporal"}), graflow.WorkflowID("hello-1"))
	if err != nil {
		log.Fatal(err)
	}
	var out string
	if err := res.Value(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(out, "- run", res.WorkflowID)
}
