// Package signals is the wire contract of graflow's human-in-the-loop
// requests on Temporal, and a small client to answer them.
//
// A task that calls TaskContext.RequestFeedback suspends; its run records
// the request and waits for an answer. The run answers:
//
//   - the Update FeedbackName ("graflow.feedback"), which validates the
//     answer and rejects a bad one with a clear error (Client.Answer);
//   - the Signal of the same name, for tools that can only signal
//     (`temporal workflow signal`, `tctl workflow signal`): a signal cannot
//     be rejected, so a bad one is recorded with its reason, shown by the
//     pending-feedback Query and never applied;
//   - the Query PendingQuery ("graflow.pending_feedback"): the open
//     requests as a JSON list of Pending.
//
// Both carry one JSON object (Answer):
//
//	{"request_id": "deploy_approval", "approved": true, "value": "...",
//	 "values": ["..."], "data": {...}, "reason": "...", "responded_by": "alice"}
//
// of which a request needs one answer field by its type: "approved" for
// approval, "value" for text and selection, "values" for multi_selection
// (a single "value" is accepted too, and a one-element "values" answers a
// selection), "data" for custom. Runs waiting for a person carry the
// search attribute GraflowAwaitingFeedback = true.
package signals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/graflow-go/graflow/graflow"
)

// Names of the run's feedback handlers and its search attribute.
const (
	// FeedbackName names both the Update and the Signal that answer a request.
	FeedbackName = "graflow.feedback"
	// PendingQuery names the Query listing the open requests ([]Pending).
	PendingQuery = "graflow.pending_feedback"
	// AwaitingAttribute is the Bool search attribute that is true while a
	// run waits for a person. Servers must have it registered (the dev
	// server of package devserver does): `temporal operator
	// search-attribute create --name GraflowAwaitingFeedback --type Bool`.
	AwaitingAttribute = "GraflowAwaitingFeedback"
	// RejectedType is the ApplicationError type of a rejected Update.
	RejectedType = "graflow.FeedbackRejected"
)

// AwaitingFeedback is the typed key of AwaitingAttribute.
var AwaitingFeedback = temporal.NewSearchAttributeKeyBool(AwaitingAttribute)

// Answer is the JSON payload of the Update and the Signal. Approved and
// Value are pointers, and Values and Data are told nil (absent) from empty,
// so that the run can tell a missing answer from an empty one.
type Answer struct {
	RequestID   string         `json:"request_id"`
	Approved    *bool          `json:"approved,omitempty"`
	Value       *string        `json:"value,omitempty"`
	Values      []string       `json:"values,omitempty"`
	Data        map[string]any `json:"data,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	RespondedBy string         `json:"responded_by,omitempty"`
}

// MarshalJSON writes Values and Data when they are non-nil, also empty.
func (a Answer) MarshalJSON() ([]byte, error) {
	type wire struct {
		RequestID   string          `json:"request_id"`
		Approved    *bool           `json:"approved,omitempty"`
		Value       *string         `json:"value,omitempty"`
		Values      *[]string       `json:"values,omitempty"`
		Data        *map[string]any `json:"data,omitempty"`
		Reason      string          `json:"reason,omitempty"`
		RespondedBy string          `json:"responded_by,omitempty"`
	}
	w := wire{RequestID: a.RequestID, Approved: a.Approved, Value: a.Value, Reason: a.Reason, RespondedBy: a.RespondedBy}
	if a.Values != nil {
		w.Values = &a.Values
	}
	if a.Data != nil {
		w.Data = &a.Data
	}
	return json.Marshal(w)
}

// Approve answers an approval request with yes.
func Approve(requestID string) Answer {
	yes := true
	return Answer{RequestID: requestID, Approved: &yes}
}

// Reject answers an approval request with no, for reason.
func Reject(requestID, reason string) Answer {
	no := false
	return Answer{RequestID: requestID, Approved: &no, Reason: reason}
}

// Text answers a text request.
func Text(requestID, value string) Answer {
	return Answer{RequestID: requestID, Value: &value}
}

// Select answers a selection (one value) or a multi-selection (any number
// of values) request.
func Select(requestID string, values ...string) Answer {
	if len(values) == 1 {
		return Answer{RequestID: requestID, Value: &values[0]}
	}
	return Answer{RequestID: requestID, Values: append([]string{}, values...)}
}

// Custom answers a custom request with a JSON object.
func Custom(requestID string, data map[string]any) Answer {
	if data == nil {
		data = map[string]any{}
	}
	return Answer{RequestID: requestID, Data: data}
}

// answerFields are the keys of the payload, in documentation order.
var answerFields = []string{"request_id", "approved", "value", "values", "data", "reason", "responded_by"}

// ParseAnswer decodes a payload strictly: a JSON object with a non-empty
// request_id, no unknown fields, and each field of its JSON type (null
// counts as absent). The error names the field.
func ParseAnswer(raw []byte) (Answer, error) {
	var a Answer
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return a, fmt.Errorf("the answer must be a JSON object like {\"request_id\": \"...\", \"approved\": true}, got %s", abbreviate(raw))
	}
	for k := range fields {
		if !slices.Contains(answerFields, k) {
			return a, fmt.Errorf("unknown field %q in the answer (fields: %s)", k, strings.Join(answerFields, ", "))
		}
	}
	field := func(name string, dst any, want string) error {
		v, ok := fields[name]
		if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("%q must be %s, got %s", name, want, abbreviate(v))
		}
		return nil
	}
	var values []string
	var data map[string]any
	if err := errors.Join(
		field("request_id", &a.RequestID, "a string"),
		field("approved", &a.Approved, "true or false"),
		field("value", &a.Value, "a string"),
		field("values", &values, "a list of strings"),
		field("data", &data, "a JSON object"),
		field("reason", &a.Reason, "a string"),
		field("responded_by", &a.RespondedBy, "a string"),
	); err != nil {
		return Answer{}, err
	}
	if v, ok := fields["values"]; ok && values == nil && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		values = []string{}
	}
	if v, ok := fields["data"]; ok && data == nil && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		data = map[string]any{}
	}
	a.Values, a.Data = values, data
	if a.RequestID == "" {
		return Answer{}, errors.New(`the answer has no "request_id"`)
	}
	return a, nil
}

// abbreviate returns raw as a short string for error messages.
func abbreviate(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return "nothing"
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Check reports why a does not answer req: a missing or foreign answer
// field for the request's type, a choice not among its Options, a
// responder not among its Approvers.
func Check(req graflow.FeedbackRequest, a Answer) error {
	if a.RequestID != req.ID {
		return fmt.Errorf("the answer is for %q, not %q", a.RequestID, req.ID)
	}
	has := map[string]bool{"approved": a.Approved != nil, "value": a.Value != nil, "values": a.Values != nil, "data": a.Data != nil}
	var want []string
	switch req.Type {
	case graflow.Approval:
		want = []string{"approved"}
	case graflow.Text:
		want = []string{"value"}
	case graflow.Selection, graflow.MultiSelection:
		want = []string{"value", "values"}
	case graflow.Custom:
		want = []string{"data"}
	default:
		return fmt.Errorf("request %q has an unknown type %q", req.ID, req.Type)
	}
	for _, k := range []string{"approved", "value", "values", "data"} {
		if has[k] && !slices.Contains(want, k) {
			return fmt.Errorf("%q does not answer %s request %q (it wants %s)", k, article(req.Type), req.ID, quoteAll(want))
		}
	}
	if !slices.ContainsFunc(want, func(k string) bool { return has[k] }) {
		return fmt.Errorf("%s request %q needs %s in the answer", capitalize(article(req.Type)), req.ID, quoteAll(want))
	}
	if req.Type == graflow.Selection || req.Type == graflow.MultiSelection {
		if has["value"] && has["values"] {
			return fmt.Errorf(`give "value" or "values" for request %q, not both`, req.ID)
		}
		chosen := choices(a)
		if req.Type == graflow.Selection && len(chosen) != 1 {
			return fmt.Errorf("selection request %q takes one value, got %d", req.ID, len(chosen))
		}
		for i, c := range chosen {
			if !slices.Contains(req.Options, c) {
				return fmt.Errorf("%q is not an option of request %q (options: %s)", c, req.ID, strings.Join(req.Options, ", "))
			}
			if slices.Contains(chosen[:i], c) {
				return fmt.Errorf("%q is chosen twice for request %q", c, req.ID)
			}
		}
	}
	if len(req.Approvers) > 0 && !slices.Contains(req.Approvers, a.RespondedBy) {
		if a.RespondedBy == "" {
			return fmt.Errorf("request %q takes answers from its approvers only (%s): say who answers with \"responded_by\"", req.ID, strings.Join(req.Approvers, ", "))
		}
		return fmt.Errorf("%q is not an approver of request %q (approvers: %s)", a.RespondedBy, req.ID, strings.Join(req.Approvers, ", "))
	}
	return nil
}

// Response is the FeedbackResponse a checked answer gives, received at at.
func Response(req graflow.FeedbackRequest, a Answer, at time.Time) graflow.FeedbackResponse {
	r := graflow.FeedbackResponse{RequestID: req.ID, Reason: a.Reason, RespondedBy: a.RespondedBy, RespondedAt: at.UTC()}
	switch req.Type {
	case graflow.Approval:
		r.Approved = a.Approved != nil && *a.Approved
	case graflow.Text:
		if a.Value != nil {
			r.Value = *a.Value
		}
	case graflow.Selection:
		if c := choices(a); len(c) > 0 {
			r.Value = c[0]
		}
	case graflow.MultiSelection:
		r.Values = choices(a)
	case graflow.Custom:
		r.Data = a.Data
	}
	return r
}

// choices returns the selected options: Values, else Value as one.
func choices(a Answer) []string {
	if a.Values != nil {
		return slices.Clone(a.Values)
	}
	if a.Value != nil {
		return []string{*a.Value}
	}
	return []string{}
}

func article(t graflow.FeedbackType) string {
	if t == graflow.Approval {
		return "an approval"
	}
	return "a " + strings.ReplaceAll(string(t), "_", "-")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, " or ")
}

// Pending is one open request in the answer of PendingQuery.
type Pending struct {
	RequestID string               `json:"request_id"`
	Type      graflow.FeedbackType `json:"type"`
	Message   string               `json:"message"`
	Options   []string             `json:"options"`
	// Deadline is when the request times out (null: it waits forever).
	Deadline *time.Time `json:"deadline"`
	// TimedOut says the deadline passed unanswered and the task left the
	// timeout unhandled: the run waits for a late answer.
	TimedOut bool `json:"timed_out"`
	// Rejected are the invalid answers received by Signal, with why.
	Rejected []Rejection `json:"rejected"`
	// TaskID is the task that asked; RequestedAt when.
	TaskID      string    `json:"task_id"`
	RequestedAt time.Time `json:"requested_at"`
	// ChannelKey, Approvers and Metadata are the request's own.
	ChannelKey string         `json:"channel_key,omitempty"`
	Approvers  []string       `json:"approvers,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// Rejection is an invalid answer received by Signal, never applied.
type Rejection struct {
	Answer json.RawMessage `json:"answer"`
	Reason string          `json:"reason"`
}
