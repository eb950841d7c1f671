package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/graflow-go/graflow/graflow"
)

// Human-in-the-loop tasks (scenarios 89-94).

// HIDownQueue is the task queue of the runs (workflow and tasks) of the
// worker-down test, whose worker it kills and starts again.
const HIDownQueue = "hitl-down"

// AskIn are the parameters of Ask: one feedback request.
type AskIn struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Message    string   `json:"message"`
	Options    []string `json:"options"`
	TimeoutMS  int      `json:"timeout_ms"`
	ChannelKey string   `json:"channel_key"`
	Approvers  []string `json:"approvers"`
	// HandleTimeout makes the task return "Timeout handled" on a timeout
	// instead of the error.
	HandleTimeout bool `json:"handle_timeout"`
}

// Ask requests one feedback and returns the answer as a string: "approved"
// or "rejected: <reason>", the text or selected value, the selected values
// joined by ",", or the custom data as JSON. It appends "asked <id>" to
// the channel list "asks" (discarded while it suspends).
var Ask = graflow.NewTask("c_hi_ask", func(ctx *graflow.TaskContext, in AskIn) (string, error) {
	if _, err := ctx.Channel().Append("asks", "asked "+in.ID); err != nil {
		return "", err
	}
	resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{
		ID:         in.ID,
		Type:       graflow.FeedbackType(in.Kind),
		Message:    in.Message,
		Options:    in.Options,
		Timeout:    time.Duration(in.TimeoutMS) * time.Millisecond,
		ChannelKey: in.ChannelKey,
		Approvers:  in.Approvers,
	})
	if errors.Is(err, graflow.ErrFeedbackTimeout) && in.HandleTimeout {
		return "Timeout handled", nil
	}
	if err != nil {
		return "", err
	}
	return describe(graflow.FeedbackType(in.Kind), resp)
})

func describe(kind graflow.FeedbackType, resp graflow.FeedbackResponse) (string, error) {
	switch kind {
	case graflow.Approval:
		if resp.Approved {
			return "approved", nil
		}
		return "rejected: " + resp.Reason, nil
	case graflow.MultiSelection:
		return strings.Join(resp.Values, ","), nil
	case graflow.Custom:
		raw, err := json.Marshal(resp.Data)
		return string(raw), err
	}
	return resp.Value, nil
}

// ExecuteDeployment reads the decision of the upstream task "gate":
// "DEPLOYED" when approved, "SKIPPED" when rejected, else "received: <text>".
var ExecuteDeployment = graflow.NewTask("c_hi_execute_deployment", func(ctx *graflow.TaskContext, in struct {
	Decision string `json:"gate"`
}) (string, error) {
	switch {
	case in.Decision == "approved":
		return "DEPLOYED", nil
	case strings.HasPrefix(in.Decision, "rejected"):
		return "SKIPPED", nil
	}
	return "received: " + in.Decision, nil
})

// CancelOnReject asks approval "id" and cancels the run when rejected.
var CancelOnReject = graflow.NewTask("c_hi_cancel_on_reject", func(ctx *graflow.TaskContext, in struct {
	ID string `json:"id"`
}) (string, error) {
	resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: in.ID, Type: graflow.Approval, Message: "Approve?"})
	if err != nil {
		return "", err
	}
	if !resp.Approved {
		ctx.CancelWorkflow("Deployment rejected")
	}
	return "approved", nil
})

// AskTwice asks the text requests "first" and "second" in turn.
var AskTwice = graflow.NewTask("c_hi_ask_twice", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	a, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "first", Type: graflow.Text, Message: "First?"})
	if err != nil {
		return "", err
	}
	b, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "second", Type: graflow.Text, Message: "Second?"})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s+%s (cycle %d)", a.Value, b.Value, ctx.Cycle()), nil
})

// Final returns "Pipeline complete".
var Final = graflow.NewTask("c_hi_final", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	return "Pipeline complete", nil
})

// SpawnAsk adds the dynamic group "hi_fan" of Ask (bound to in) and a
// c_step "hi_other": the ask runs in a child workflow of its own.
var SpawnAsk = graflow.NewTask("c_hi_spawn_ask", func(ctx *graflow.TaskContext, in AskIn) (graflow.None, error) {
	params := graflow.Params{"id": in.ID, "kind": in.Kind, "message": in.Message}
	return graflow.None{}, ctx.NextTask(graflow.Parallel(Ask.Instance("hi_ask", params), Step.Instance("hi_other", nil)).Named("hi_fan"))
})
