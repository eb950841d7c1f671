package engine

import (
	"maps"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// TaskFeedback is TaskEnv.Feedback for a task sent in: the task may request
// feedback, and receives the answers in holds.
func TaskFeedback(in *wire.FeedbackInput) *core.Feedback {
	f := &core.Feedback{}
	if in == nil {
		return f
	}
	answers := make(map[string]graflow.FeedbackResponse, len(in.Answers))
	for id, a := range in.Answers {
		answers[id] = FeedbackResponse(a)
	}
	f.Answers, f.TimedOut = answers, in.TimedOut
	return f
}

// Suspended returns the feedback request tc suspended on, or nil.
func Suspended(tc *graflow.TaskContext) *wire.FeedbackRequest {
	req, _ := core.Suspended(tc).(*graflow.FeedbackRequest)
	if req == nil {
		return nil
	}
	w := WireFeedbackRequest(*req)
	return &w
}

// WireFeedbackRequest converts a request to its wire form.
func WireFeedbackRequest(r graflow.FeedbackRequest) wire.FeedbackRequest {
	return wire.FeedbackRequest{ID: r.ID, Type: string(r.Type), Message: r.Message, Options: r.Options, Timeout: r.Timeout,
		ChannelKey: r.ChannelKey, Metadata: maps.Clone(r.Metadata), Approvers: r.Approvers}
}

// FeedbackRequest converts a request from its wire form.
func FeedbackRequest(r wire.FeedbackRequest) graflow.FeedbackRequest {
	return graflow.FeedbackRequest{ID: r.ID, Type: graflow.FeedbackType(r.Type), Message: r.Message, Options: r.Options, Timeout: r.Timeout,
		ChannelKey: r.ChannelKey, Metadata: maps.Clone(r.Metadata), Approvers: r.Approvers}
}

// WireFeedbackResponse converts an answer to its wire form.
func WireFeedbackResponse(r graflow.FeedbackResponse) wire.FeedbackResponse {
	return wire.FeedbackResponse{RequestID: r.RequestID, Approved: r.Approved, Reason: r.Reason, Value: r.Value, Values: r.Values,
		Data: r.Data, RespondedBy: r.RespondedBy, RespondedAt: r.RespondedAt}
}

// FeedbackResponse converts an answer from its wire form.
func FeedbackResponse(r wire.FeedbackResponse) graflow.FeedbackResponse {
	return graflow.FeedbackResponse{RequestID: r.RequestID, Approved: r.Approved, Reason: r.Reason, Value: r.Value, Values: r.Values,
		Data: r.Data, RespondedBy: r.RespondedBy, RespondedAt: r.RespondedAt}
}
