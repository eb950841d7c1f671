package examples

import (
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Seed patterns "next_iteration()", "terminate_workflow()" and
// "cancel_workflow()".

// errTemporary is do_work's failure while attempt < fail_until.
var errTemporary = errors.New("temporary error")

// retryTask re-runs itself with attempt+1 while do_work fails, and gives up
// after attempt 3.
var retryTask = graflow.NewTask("retry_task", func(ctx *graflow.TaskContext, in struct {
	Attempt   int `json:"attempt"`
	FailUntil int `json:"fail_until"`
}) (string, error) {
	if in.Attempt < in.FailUntil { // do_work() raised TemporaryError
		if in.Attempt < 3 {
			return "", ctx.NextIteration(graflow.Params{"attempt": in.Attempt + 1})
		}
		return "", fmt.Errorf("attempt %d: %w", in.Attempt, errTemporary)
	}
	return fmt.Sprintf("succeeded on attempt %d", in.Attempt), nil
})

var checkComplete = graflow.NewTask("check_complete", func(ctx *graflow.TaskContext, in struct {
	Done bool `json:"all_done"`
}) (graflow.None, error) {
	if in.Done {
		ctx.TerminateWorkflow("completed early")
		return graflow.None{}, nil
	}
	return graflow.None{}, ctx.NextTask(continueProcessing)
})

var continueProcessing = graflow.NewTask("continue_processing", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	return "processed everything", nil
})

var validate = graflow.NewTask("validate", func(ctx *graflow.TaskContext, in struct {
	Critical bool `json:"critical_error"`
}) (graflow.None, error) {
	if in.Critical {
		ctx.CancelWorkflow("Critical validation failed")
	}
	return graflow.None{}, nil
})

var afterValidate = graflow.NewTask("after_validate", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	return "validated", nil
})

func init() {
	register(Example{
		Name:        "retry_task",
		Description: "NextIteration: retry_task re-runs with attempt+1 while do_work fails, giving up after attempt 3",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("retry_task")
			wf.Add(retryTask)
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"fail_until": 3})},
		Output:  "succeeded on attempt 3",
		Format:  valueAs[string]("%s"),
	})
	register(Example{
		Name:        "check_complete",
		Description: "TerminateWorkflow: check_complete ends the run early with \"completed early\"",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("check_complete")
			wf.Add(graflow.Chain(checkComplete, afterValidate))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"all_done": true})},
		Output:  "completed early",
		Format:  valueAs[string]("%s"),
	})
	register(Example{
		Name:        "validate",
		Description: "CancelWorkflow: validate aborts the run with \"Critical validation failed\"",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("validate")
			wf.Add(graflow.Chain(validate, afterValidate))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"critical_error": true})},
		Fails:   true,
		Output:  `workflow canceled by task "validate": Critical validation failed`,
		Format:  valueAs[string]("%s"),
	})
}
