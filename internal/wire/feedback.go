package wire

import (
	"encoding/json"
	"time"
)

// FeedbackRequest is graflow.FeedbackRequest on the wire.
type FeedbackRequest struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Message    string         `json:"message,omitempty"`
	Options    []string       `json:"options,omitempty"`
	Timeout    time.Duration  `json:"timeout,omitempty"`
	ChannelKey string         `json:"channel_key,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
	Approvers  []string       `json:"approvers,omitempty"`
}

// FeedbackResponse is graflow.FeedbackResponse on the wire.
type FeedbackResponse struct {
	RequestID   string         `json:"request_id"`
	Approved    bool           `json:"approved"`
	Reason      string         `json:"reason,omitempty"`
	Value       string         `json:"value,omitempty"`
	Values      []string       `json:"values,omitempty"`
	Data        map[string]any `json:"data,omitempty"`
	RespondedBy string         `json:"responded_by,omitempty"`
	RespondedAt time.Time      `json:"responded_at"`
}

// FeedbackState is a run's feedback requests, answered or not, and the
// answers that came before their request.
type FeedbackState struct {
	Requests []*FeedbackRecord `json:"requests,omitempty"`
	Early    []EarlyAnswer     `json:"early,omitempty"`
	// Children are answers for dynamic child runs not started yet.
	Children []ChildAnswer `json:"children,omitempty"`
}

// FeedbackRecord is one request of the run.
type FeedbackRecord struct {
	Request FeedbackRequest `json:"request"`
	// Tasks are the nodes that asked it; they receive its answer.
	Tasks []string `json:"tasks"`
	// Scope is where the last asker runs (the ChannelKey is written there).
	Scope       string    `json:"scope,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	Deadline    time.Time `json:"deadline,omitzero"`
	// TimedOut: the deadline passed unanswered.
	TimedOut bool `json:"timed_out,omitempty"`
	// Closed: the task went on after its timeout without an answer.
	Closed   bool              `json:"closed,omitempty"`
	Answer   *FeedbackResponse `json:"answer,omitempty"`
	Rejected []Rejection       `json:"rejected,omitempty"`
}

// Open reports whether the record takes an answer.
func (r *FeedbackRecord) Open() bool { return r.Answer == nil && !r.Closed }

// Rejection is an invalid answer received by Signal, never applied.
type Rejection struct {
	Answer json.RawMessage `json:"answer"`
	Reason string          `json:"reason"`
}

// EarlyAnswer is a signaled answer to a request the run has not made yet.
type EarlyAnswer struct {
	RequestID string          `json:"request_id"`
	Answer    json.RawMessage `json:"answer"`
	At        time.Time       `json:"at"`
}

// ChildAnswer is an answer to a request of the dynamic child run Child (a
// workflow id), or of one of its descendants.
type ChildAnswer struct {
	Child string `json:"child"`
	EarlyAnswer
}
