package examples

import (
	"fmt"
	"time"

	"github.com/graflow-go/graflow/graflow"
)

// Seed patterns "Basic Checkpoint" and "Periodic Checkpoint": a long task
// asks for a checkpoint every 10 batches (and every 5 minutes); the run
// records one, with the last request's metadata, once the task has
// finished. `starter checkpoints <id>` lists it, `starter resume <id>`
// resumes a failed run from it.
var longRunning = graflow.NewTask("long_running", func(ctx *graflow.TaskContext, in struct {
	Batches int `json:"batches"`
}) (string, error) {
	lastCheckpoint := time.Now()
	for i := range in.Batches {
		// process(batch)
		if i%10 == 0 || time.Since(lastCheckpoint) > 5*time.Minute {
			ctx.Checkpoint(map[string]any{"batch": i})
			lastCheckpoint = time.Now()
		}
	}
	return fmt.Sprintf("processed %d batches", in.Batches), nil
})

var afterLongRunning = graflow.NewTask("publish_batches", func(ctx *graflow.TaskContext, in struct {
	Done string `json:"long_running"`
}) (string, error) {
	return in.Done + ", published", nil
})

func init() {
	register(Example{
		Name:        "checkpoint",
		Description: "Checkpoint: long_running asks for a checkpoint every 10 batches; the run keeps a reset point to resume from",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("checkpoint")
			wf.Add(graflow.Chain(longRunning, afterLongRunning))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"batches": 25})},
		Output:  "processed 25 batches, published",
		Format:  valueAs[string]("%s"),
	})
}
