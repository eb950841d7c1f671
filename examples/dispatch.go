package examples

import (
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Seed pattern "next_task(): add a task at run time": a dispatcher picks a
// handler from the channel's data.type and queues it.

type item struct {
	Type string `json:"type"`
	ID   int    `json:"id"`
}

type dataIn struct {
	Data item `json:"data"`
}

var priorityHandler = graflow.NewTask("priority_handler", func(ctx *graflow.TaskContext, in dataIn) (string, error) {
	return fmt.Sprintf("priority handler took item %d", in.Data.ID), nil
})

var normalHandler = graflow.NewTask("normal_handler", func(ctx *graflow.TaskContext, in dataIn) (string, error) {
	return fmt.Sprintf("normal handler took item %d", in.Data.ID), nil
})

var dispatcher = graflow.NewTask("dispatcher", func(ctx *graflow.TaskContext, in dataIn) (graflow.None, error) {
	handler := normalHandler
	if in.Data.Type == "priority" {
		handler = priorityHandler
	}
	return graflow.None{}, ctx.NextTask(handler.Instance("", graflow.Params{"data": in.Data}))
})

func init() {
	register(Example{
		Name:        "dispatcher",
		Description: "NextTask: a dispatcher queues the priority or the normal handler from the channel's data.type",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("dispatcher")
			wf.Add(dispatcher)
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"data": item{Type: "priority", ID: 7}})},
		Output:  "priority handler took item 7",
		Format:  valueAs[string]("%s"),
	})
}
