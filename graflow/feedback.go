package graflow

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// FeedbackType says what kind of answer a feedback request wants.
type FeedbackType string

// The feedback types. Each decides which field of the FeedbackResponse
// carries the answer and what RequestFeedback writes to the ChannelKey.
const (
	// Approval wants yes or no: FeedbackResponse.Approved (channel: bool).
	Approval FeedbackType = "approval"
	// Text wants free text: FeedbackResponse.Value (channel: string).
	Text FeedbackType = "text"
	// Selection wants one of Options: FeedbackResponse.Value (channel: string).
	Selection FeedbackType = "selection"
	// MultiSelection wants any of Options: FeedbackResponse.Values (channel: list).
	MultiSelection FeedbackType = "multi_selection"
	// Custom wants a JSON object: FeedbackResponse.Data (channel: object).
	Custom FeedbackType = "custom"
)

// FeedbackTypes lists every feedback type.
var FeedbackTypes = []FeedbackType{Approval, Text, Selection, MultiSelection, Custom}

// FeedbackRequest asks a person for an answer (see TaskContext.RequestFeedback).
type FeedbackRequest struct {
	// ID names the request in the run. A person answers it by this id, so
	// choose a stable, readable one ("deploy_approval"). An answer belongs to
	// the whole run: asking the same ID again later in the run (a loop)
	// returns the same answer; put ctx.Cycle() in the ID to ask every time.
	ID string `json:"id"`
	// Type is the kind of answer wanted.
	Type FeedbackType `json:"type"`
	// Message is what the person is asked.
	Message string `json:"message,omitempty"`
	// Options are the choices of a Selection or MultiSelection (required
	// for them; an answer outside them is rejected).
	Options []string `json:"options,omitempty"`
	// Timeout is how long to wait for an answer (0 = forever). The timer is
	// durable: it survives worker restarts and costs nothing while it runs.
	Timeout time.Duration `json:"timeout,omitempty"`
	// ChannelKey, when set, receives the answer's value (bool, string, list
	// or object by Type) and "<ChannelKey>.__feedback_response__" the whole
	// FeedbackResponse, written before the task runs again.
	ChannelKey string `json:"channel_key,omitempty"`
	// Metadata is shown with the pending request (JSON values).
	Metadata map[string]any `json:"metadata,omitempty"`
	// Approvers, when set, are the only people whose answers are accepted
	// (FeedbackResponse.RespondedBy must be one of them).
	Approvers []string `json:"approvers,omitempty"`
}

// Validate reports what is wrong with the request: an empty ID, an unknown
// Type, a Selection or MultiSelection without Options, a negative Timeout.
func (r FeedbackRequest) Validate() error {
	var errs []error
	if r.ID == "" {
		errs = append(errs, errors.New("empty request ID"))
	}
	if !slices.Contains(FeedbackTypes, r.Type) {
		errs = append(errs, fmt.Errorf("unknown feedback type %q (want one of %v)", r.Type, FeedbackTypes))
	}
	if (r.Type == Selection || r.Type == MultiSelection) && len(r.Options) == 0 {
		errs = append(errs, fmt.Errorf("a %s request needs Options", r.Type))
	}
	if r.Timeout < 0 {
		errs = append(errs, fmt.Errorf("negative timeout %v", r.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("graflow: invalid feedback request %q: %w", r.ID, err)
	}
	return nil
}

// FeedbackResponse is a person's answer to a FeedbackRequest.
type FeedbackResponse struct {
	RequestID string `json:"request_id"`
	// Approved answers an Approval.
	Approved bool `json:"approved"`
	// Reason is the person's comment (any type; e.g. why a deployment was rejected).
	Reason string `json:"reason,omitempty"`
	// Value answers a Text or a Selection.
	Value string `json:"value,omitempty"`
	// Values answer a MultiSelection.
	Values []string `json:"values,omitempty"`
	// Data answers a Custom request.
	Data map[string]any `json:"data,omitempty"`
	// RespondedBy names the person who answered.
	RespondedBy string `json:"responded_by,omitempty"`
	// RespondedAt is when the run received the answer.
	RespondedAt time.Time `json:"responded_at"`
}

// ChannelValue returns what an answer of type t writes to the request's
// ChannelKey: Approved, Value, Values or Data.
func (r FeedbackResponse) ChannelValue(t FeedbackType) any {
	switch t {
	case Approval:
		return r.Approved
	case MultiSelection:
		if r.Values == nil {
			return []string{}
		}
		return r.Values
	case Custom:
		if r.Data == nil {
			return map[string]any{}
		}
		return r.Data
	default:
		return r.Value
	}
}

// FeedbackResponseKeySuffix ends the channel key that holds the whole
// response of a request with a ChannelKey: "<key>.__feedback_response__".
const FeedbackResponseKeySuffix = ".__feedback_response__"

// feedbackSession is what an executor tells a running task about the run's
// feedback requests: the answers the run holds and the requests that timed
// out, and the request the task suspended on.
type feedbackSession struct {
	answers  map[string]FeedbackResponse
	timedOut []string

	mu        sync.Mutex
	suspended *FeedbackRequest
}

// suspendedOn returns the request the task suspended on, or nil when it did
// not suspend.
func (s *feedbackSession) suspendedOn() *FeedbackRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suspended
}

func (s *feedbackSession) suspend(req FeedbackRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suspended == nil {
		s.suspended = &req
	}
}

// ErrFeedbackUnsupported is returned by RequestFeedback where no executor
// can suspend the task (Task.Run).
var ErrFeedbackUnsupported = errors.New("graflow: feedback requests need an executor (run the task in a workflow)")

// RequestFeedback asks a person for an answer and returns it.
//
// If the run already holds an answer for req.ID, it returns at once.
// Otherwise the task SUSPENDS: RequestFeedback never returns — it ends the
// task's goroutine with runtime.Goexit, so deferred functions run, but
// nothing after the call does — and the task's channel writes, commands and
// result are discarded. The run records the pending request, waits for an
// answer (a Signal or Update named "graflow.feedback") for at most
// req.Timeout, and then runs the task AGAIN FROM THE START, this time with
// the answer, which RequestFeedback returns.
//
//	!!! Code before RequestFeedback runs twice (or more): once before the
//	!!! request and once after each answer or timeout. Keep it free of side
//	!!! effects, or make them idempotent, or move them to an earlier task.
//
// When the timeout passes unanswered, the task runs again and the call
// returns ErrFeedbackTimeout. A task that returns that error (unhandled)
// leaves the run waiting: the request stays pending and a late answer
// resumes the run with it.
//
// Call RequestFeedback from the task's own goroutine. An invalid request
// (see FeedbackRequest.Validate) returns an error and does not suspend.
func (c *TaskContext) RequestFeedback(req FeedbackRequest) (FeedbackResponse, error) {
	if err := req.Validate(); err != nil {
		return FeedbackResponse{}, err
	}
	s := c.feedback
	if s == nil {
		return FeedbackResponse{}, fmt.Errorf("request %q: %w", req.ID, ErrFeedbackUnsupported)
	}
	if resp, ok := s.answers[req.ID]; ok {
		return resp, nil
	}
	if slices.Contains(s.timedOut, req.ID) {
		return FeedbackResponse{}, fmt.Errorf("request %q: %w after %v", req.ID, ErrFeedbackTimeout, req.Timeout)
	}
	req.Options = slices.Clone(req.Options)
	req.Approvers = slices.Clone(req.Approvers)
	s.suspend(req)
	runtime.Goexit()
	panic("unreachable")
}
