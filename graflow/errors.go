package graflow

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Each is matched with errors.Is, also after crossing Temporal.
var (
	// ErrKeyNotFound is returned by Channel.Get for a key that is absent or expired.
	ErrKeyNotFound = errors.New("graflow: channel key not found")
	// ErrTaskNotRegistered means a worker was asked to run a task it does not know.
	ErrTaskNotRegistered = errors.New("graflow: task not registered")
	// ErrDuplicateTask means a second task was created under a name the
	// registry holds.
	ErrDuplicateTask = errors.New("graflow: duplicate task name")
	// ErrFeedbackTimeout is returned by RequestFeedback when nobody answered in time.
	ErrFeedbackTimeout = errors.New("graflow: feedback timed out")
	// ErrInvalidGraph is wrapped by every problem Workflow.Validate reports.
	ErrInvalidGraph = errors.New("graflow: invalid graph")
	// ErrReadOnlyChannel is returned when writing to a result's channel snapshot.
	ErrReadOnlyChannel = errors.New("graflow: channel is read-only")
	// ErrNotAList is returned by list operations on a key holding a non-list value.
	ErrNotAList = errors.New("graflow: channel value is not a list")
	// ErrNotANumber is returned by Channel.Add on a key holding a non-numeric value.
	ErrNotANumber = errors.New("graflow: channel value is not a number")
	// ErrNonRetryable marks an error returned through NonRetryable.
	ErrNonRetryable = errors.New("graflow: not retryable")
	// ErrWorkflowNotRegistered means a run was started by name (any Temporal
	// client, a Schedule) with a workflow type its worker does not know.
	ErrWorkflowNotRegistered = errors.New("graflow: workflow not registered")
	// ErrInvalidInput means a run's start input is not what graflow reads:
	// nothing or one JSON object {"channel": {...}, "start": "<node id>"}.
	ErrInvalidInput = errors.New("graflow: invalid run input")
	// ErrChannelUnavailable means a task could not read a channel key from
	// its workflow (the server or the workflow did not answer while the
	// attempt lived). It is not the task's own error: the attempt fails and
	// Temporal runs it again.
	ErrChannelUnavailable = errors.New("graflow: channel unavailable")
)

// NonRetryable marks a task's error as final: the task is not retried even
// if WithMaxRetries allows it. errors.Is(err, ErrNonRetryable) tells.
func NonRetryable(err error) error {
	if err == nil {
		return nil
	}
	return &nonRetryableError{err: err}
}

type nonRetryableError struct{ err error }

func (e *nonRetryableError) Error() string   { return e.err.Error() }
func (e *nonRetryableError) Unwrap() []error { return []error{e.err, ErrNonRetryable} }

// TaskError is a task's failure: the task id, the 1-based attempt that failed
// last, and the cause.
type TaskError struct {
	TaskID  string
	Attempt int
	Err     error
}

// Error describes the failure.
func (e *TaskError) Error() string {
	if e.Attempt > 0 {
		return fmt.Sprintf("task %q failed (attempt %d): %v", e.TaskID, e.Attempt, e.Err)
	}
	return fmt.Sprintf("task %q failed: %v", e.TaskID, e.Err)
}

// Unwrap returns the cause.
func (e *TaskError) Unwrap() error { return e.Err }

// TaskFailure names one failed member of a parallel group.
type TaskFailure struct {
	TaskID  string `json:"task_id"`
	Message string `json:"message"`
}

// ParallelGroupError is returned when a group's policy is not met.
type ParallelGroupError struct {
	GroupID   string        `json:"group_id"`
	Policy    string        `json:"policy,omitempty"`
	Failed    []TaskFailure `json:"failed"`
	Succeeded []string      `json:"succeeded"`
}

// Error describes the failure.
func (e *ParallelGroupError) Error() string {
	parts := make([]string, len(e.Failed))
	for i, f := range e.Failed {
		parts[i] = fmt.Sprintf("%s: %s", f.TaskID, f.Message)
	}
	return fmt.Sprintf("parallel group %q failed (%s policy): %d failed [%s], %d succeeded",
		e.GroupID, e.Policy, len(e.Failed), strings.Join(parts, "; "), len(e.Succeeded))
}

// WorkflowCanceledError is the failure of a run ended by TaskContext.CancelWorkflow.
type WorkflowCanceledError struct {
	TaskID string `json:"task_id"`
	Reason string `json:"reason"`
}

// Error describes the failure.
func (e *WorkflowCanceledError) Error() string {
	return fmt.Sprintf("workflow canceled by task %q: %s", e.TaskID, e.Reason)
}

// CycleLimitError is returned when a task would run more often than its MaxCycles.
type CycleLimitError struct {
	TaskID    string `json:"task_id"`
	Cycle     int    `json:"cycle"`
	MaxCycles int    `json:"max_cycles"`
}

// Error describes the failure.
func (e *CycleLimitError) Error() string {
	return fmt.Sprintf("task %q reached its cycle limit (%d of %d)", e.TaskID, e.Cycle, e.MaxCycles)
}

// ParamError says which parameter of a task could not be decoded.
type ParamError struct {
	Task  string
	Field string
	Key   string
	Err   error
}

// Error describes the failure.
func (e *ParamError) Error() string {
	return fmt.Sprintf("task %q: parameter %s (key %q): %v", e.Task, e.Field, e.Key, e.Err)
}

// Unwrap returns the decoding error.
func (e *ParamError) Unwrap() error { return e.Err }
