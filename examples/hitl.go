package examples

import (
	"errors"
	"sort"
	"time"

	"github.com/graflow-go/graflow/graflow"
)

// Seed patterns of "Human-in-the-Loop (HITL)": basic approval, text input,
// selection and channel integration. Each run waits for a person; answer
// it from another terminal, e.g.:
//
//	starter start deploy_approval --workflow-id deploy-1
//	starter feedback list
//	starter feedback approve deploy-1 deploy_approval --by alice
//	starter result deploy-1
//
// A task that asks for feedback runs again from the start once the answer
// is in: the code before RequestFeedback runs twice.

// interactive holds the examples that need an answer to finish; All leaves
// them out (nothing would answer them), Get finds them.
var interactive = map[string]Example{}

func registerInteractive(e Example) {
	interactive[e.Name] = e
}

// AllInteractive returns the human-in-the-loop examples, sorted by name.
// Each needs its Answer (`starter feedback ...`) to finish.
func AllInteractive() []Example {
	out := make([]Example, 0, len(interactive))
	for _, e := range interactive {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var deploy = graflow.NewTask("deploy", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	return "deployed to production", nil
})

// approvalTask asks for approval: approved → deploy runs next; rejected →
// the run fails with "Deployment rejected". Unanswered after 5 minutes, the
// timeout error is returned unhandled: the run stays open, waiting, and a
// late answer still decides.
var approvalTask = graflow.NewTask("approval_task", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
	feedback, err := ctx.RequestFeedback(graflow.FeedbackRequest{
		ID:      "deploy_approval",
		Type:    graflow.Approval,
		Message: "Approve deployment to production?",
		Timeout: 5 * time.Minute,
	})
	if err != nil {
		return graflow.None{}, err
	}
	if feedback.Approved {
		return graflow.None{}, ctx.NextTask(deploy)
	}
	ctx.CancelWorkflow("Deployment rejected")
	return graflow.None{}, nil
})

// configInput asks for a text value; on timeout it uses a default.
var configInput = graflow.NewTask("config_input", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	feedback, err := ctx.RequestFeedback(graflow.FeedbackRequest{
		ID:      "config_input",
		Type:    graflow.Text,
		Message: "Enter configuration value:",
		Timeout: 60 * time.Second,
	})
	if errors.Is(err, graflow.ErrFeedbackTimeout) {
		return "config value: (default)", nil
	}
	if err != nil {
		return "", err
	}
	return "config value: " + feedback.Value, nil
})

// modelSelection asks for one of three models.
var modelSelection = graflow.NewTask("model_selection", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	feedback, err := ctx.RequestFeedback(graflow.FeedbackRequest{
		ID:      "model_selection",
		Type:    graflow.Selection,
		Message: "Select model to use:",
		Options: []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"},
		Timeout: 120 * time.Second,
	})
	if err != nil {
		return "", err
	}
	return "selected model: " + feedback.Value, nil
})

// feedbackToChannel asks for a search query that the run writes to the
// channel key "search_query" (and the whole response to
// "search_query.__feedback_response__") before the task runs again.
var feedbackToChannel = graflow.NewTask("feedback_to_channel", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
	_, err := ctx.RequestFeedback(graflow.FeedbackRequest{
		ID:         "user_input",
		Type:       graflow.Text,
		Message:    "Enter search query:",
		ChannelKey: "search_query",
	})
	// feedback.Value is also in the channel under "search_query".
	return graflow.None{}, err
})

// search reads the query from the channel key "search_query".
var search = graflow.NewTask("search", func(ctx *graflow.TaskContext, in struct {
	Query string `json:"search_query"`
}) (string, error) {
	return "searching for: " + in.Query, nil
})

func init() {
	registerInteractive(Example{
		Name:        "deploy_approval",
		Description: "HITL approval: approval_task asks to approve a deployment; approved → deploy runs, rejected → the run fails \"Deployment rejected\"",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("deploy_approval")
			wf.Add(approvalTask)
			return wf
		},
		Answer: []string{"approve", "deploy_approval"},
		Output: "deployed to production",
		Format: valueAs[string]("%s"),
	})
	registerInteractive(Example{
		Name:        "config_input",
		Description: "HITL text input: config_input asks for a configuration value (default on timeout)",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("config_input")
			wf.Add(configInput)
			return wf
		},
		Answer: []string{"text", "config_input", "max_workers=8"},
		Output: "config value: max_workers=8",
		Format: valueAs[string]("%s"),
	})
	registerInteractive(Example{
		Name:        "model_selection",
		Description: "HITL selection: model_selection asks to choose gpt-4o, gpt-4o-mini or claude-3-5-sonnet",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("model_selection")
			wf.Add(modelSelection)
			return wf
		},
		Answer: []string{"select", "model_selection", "claude-3-5-sonnet"},
		Output: "selected model: claude-3-5-sonnet",
		Format: valueAs[string]("%s"),
	})
	registerInteractive(Example{
		Name:        "search_query",
		Description: "HITL channel integration: feedback_to_channel asks for a query written to channel key search_query; search reads it",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("search_query")
			wf.Add(graflow.Chain(feedbackToChannel, search))
			return wf
		},
		Answer: []string{"text", "user_input", "durable execution"},
		Output: "searching for: durable execution",
		Format: valueAs[string]("%s"),
	})
}
