package failures

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/graflow-go/graflow/graflow"
)

// TypePrefix starts the ApplicationError type of every graflow error.
const TypePrefix = "graflow."

// Error kinds, the part of the type string after TypePrefix.
const (
	KindTaskError     = "TaskError"
	KindParamError    = "ParamError"
	KindGroupError    = "ParallelGroupError"
	KindCanceled      = "WorkflowCanceledError"
	KindCycleLimit    = "CycleLimitError"
	KindNotRegistered = "TaskNotRegistered"
	KindInvalidGraph  = "InvalidGraph"
	KindError         = "Error"
)

var sentinels = map[string]error{
	KindNotRegistered:       graflow.ErrTaskNotRegistered,
	KindInvalidGraph:        graflow.ErrInvalidGraph,
	"KeyNotFound":           graflow.ErrKeyNotFound,
	"FeedbackTimeout":       graflow.ErrFeedbackTimeout,
	"NonRetryable":          graflow.ErrNonRetryable,
	"ChannelUnavailable":    graflow.ErrChannelUnavailable,
	"WorkflowNotRegistered": graflow.ErrWorkflowNotRegistered,
	"InvalidInput":          graflow.ErrInvalidInput,
	"NotAList":              graflow.ErrNotAList,
	"NotANumber":            graflow.ErrNotANumber,
}

// wire is the JSON detail of an encoded error.
type wire struct {
	Kind      string                `json:"kind"`
	Message   string                `json:"message"`
	TaskID    string                `json:"task_id,omitempty"`
	Attempt   int                   `json:"attempt,omitempty"`
	Field     string                `json:"field,omitempty"`
	Key       string                `json:"key,omitempty"`
	GroupID   string                `json:"group_id,omitempty"`
	Policy    string                `json:"policy,omitempty"`
	Failed    []graflow.TaskFailure `json:"failed,omitempty"`
	Succeeded []string              `json:"succeeded,omitempty"`
	Reason    string                `json:"reason,omitempty"`
	Cycle     int                   `json:"cycle,omitempty"`
	MaxCycles int                   `json:"max_cycles,omitempty"`
	Cause     *wire                 `json:"cause,omitempty"`
	// Sentinels are the kinds of every sentinel the error wraps.
	Sentinels []string `json:"sentinels,omitempty"`
}

// Encode returns err as an ApplicationError whose type names its graflow
// kind. An error that already is an ApplicationError is decoded first, so
// encoding is idempotent.
func Encode(err error, nonRetryable bool) error {
	if err == nil {
		return nil
	}
	w := toWire(Decode(err))
	opts := temporal.ApplicationErrorOptions{NonRetryable: nonRetryable, Details: []any{*w}}
	return temporal.NewApplicationErrorWithOptions(w.Message, TypePrefix+w.Kind, opts)
}

func toWire(err error) *wire {
	if err == nil {
		return nil
	}
	var (
		te *graflow.TaskError
		pe *graflow.ParamError
		ge *graflow.ParallelGroupError
		ce *graflow.WorkflowCanceledError
		le *graflow.CycleLimitError
	)
	w := &wire{Message: err.Error()}
	switch {
	case errors.As(err, &te):
		w.Kind, w.TaskID, w.Attempt, w.Cause = KindTaskError, te.TaskID, te.Attempt, toWire(te.Err)
	case errors.As(err, &pe):
		w.Kind, w.TaskID, w.Field, w.Key, w.Cause = KindParamError, pe.Task, pe.Field, pe.Key, toWire(pe.Err)
	case errors.As(err, &ge):
		w.Kind, w.GroupID, w.Policy, w.Failed, w.Succeeded = KindGroupError, ge.GroupID, ge.Policy, ge.Failed, ge.Succeeded
	case errors.As(err, &ce):
		w.Kind, w.TaskID, w.Reason = KindCanceled, ce.TaskID, ce.Reason
	case errors.As(err, &le):
		w.Kind, w.TaskID, w.Cycle, w.MaxCycles = KindCycleLimit, le.TaskID, le.Cycle, le.MaxCycles
	default:
		w.Kind = KindError
		for _, kind := range slices.Sorted(maps.Keys(sentinels)) {
			if errors.Is(err, sentinels[kind]) {
				w.Sentinels = append(w.Sentinels, kind)
			}
		}
		if len(w.Sentinels) > 0 {
			w.Kind = w.Sentinels[0]
		}
	}
	return w
}

// Decode rebuilds the typed graflow error carried by an ApplicationError
// anywhere in err's chain; other errors are returned unchanged.
func Decode(err error) error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !strings.HasPrefix(app.Type(), TypePrefix) {
		return err
	}
	var w wire
	if !app.HasDetails() || app.Details(&w) != nil {
		return &remoteError{msg: app.Message()}
	}
	return fromWire(&w)
}

func fromWire(w *wire) error {
	if w == nil {
		return nil
	}
	cause := func() error {
		if w.Cause != nil {
			return fromWire(w.Cause)
		}
		return &remoteError{msg: w.Message}
	}
	switch w.Kind {
	case KindTaskError:
		return &graflow.TaskError{TaskID: w.TaskID, Attempt: w.Attempt, Err: cause()}
	case KindParamError:
		return &graflow.ParamError{Task: w.TaskID, Field: w.Field, Key: w.Key, Err: cause()}
	case KindGroupError:
		return &graflow.ParallelGroupError{GroupID: w.GroupID, Policy: w.Policy, Failed: w.Failed, Succeeded: w.Succeeded}
	case KindCanceled:
		return &graflow.WorkflowCanceledError{TaskID: w.TaskID, Reason: w.Reason}
	case KindCycleLimit:
		return &graflow.CycleLimitError{TaskID: w.TaskID, Cycle: w.Cycle, MaxCycles: w.MaxCycles}
	}
	re := &remoteError{msg: w.Message}
	for _, kind := range append([]string{w.Kind}, w.Sentinels...) {
		if s, ok := sentinels[kind]; ok && !slices.Contains(re.sentinels, s) {
			re.sentinels = append(re.sentinels, s)
		}
	}
	return re
}

// remoteError is an error rebuilt from its message, matching its sentinels.
type remoteError struct {
	msg       string
	sentinels []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.sentinels }
