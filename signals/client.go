package signals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
)

// Client answers and lists feedback requests of graflow runs.
type Client struct {
	c client.Client
}

// NewClient returns a Client using c.
func NewClient(c client.Client) *Client { return &Client{c: c} }

// RejectedError is an answer the run refused: unknown or already answered
// request, a choice not among the options, a responder not among the
// approvers, a payload of the wrong shape.
type RejectedError struct {
	WorkflowID string
	RequestID  string
	Reason     string
}

// Error describes the rejection.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("run %s rejected the answer to %q: %s", e.WorkflowID, e.RequestID, e.Reason)
}

// Answer sends a to the latest run of workflowID by Update and waits until
// the run applied it. It returns the response the task will receive, or a
// *RejectedError saying why the run refused it (nothing is applied then).
// The run needs a worker to accept the answer: with none running, Answer
// waits for one (bound it with ctx).
func (c *Client) Answer(ctx context.Context, workflowID string, a Answer) (graflow.FeedbackResponse, error) {
	var resp graflow.FeedbackResponse
	// One update id for every try: a retried Update is applied once.
	opts := client.UpdateWorkflowOptions{
		UpdateID:     uuid.NewString(),
		WorkflowID:   workflowID,
		UpdateName:   FeedbackName,
		Args:         []any{a},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	err := failures.Retry(ctx, func() error {
		h, err := c.c.UpdateWorkflow(ctx, opts)
		if err != nil {
			return err
		}
		return h.Get(ctx, &resp)
	})
	if err != nil {
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == RejectedType {
			return resp, &RejectedError{WorkflowID: workflowID, RequestID: a.RequestID, Reason: app.Message()}
		}
		return resp, fmt.Errorf("answering %q of %s: %w", a.RequestID, workflowID, err)
	}
	return resp, nil
}

// Signal sends a to the latest run of workflowID by Signal: the server
// accepts it even when no worker runs, and the run cannot refuse it — an
// invalid answer is recorded (see Pending.Rejected), never applied.
func (c *Client) Signal(ctx context.Context, workflowID string, a Answer) error {
	if err := failures.Retry(ctx, func() error { return c.c.SignalWorkflow(ctx, workflowID, "", FeedbackName, a) }); err != nil {
		return fmt.Errorf("signaling %q to %s: %w", a.RequestID, workflowID, err)
	}
	return nil
}

// Pending returns the open requests of the latest run of workflowID.
func (c *Client) Pending(ctx context.Context, workflowID string) ([]Pending, error) {
	var v converter.EncodedValue
	err := failures.Retry(ctx, func() (err error) {
		v, err = c.c.QueryWorkflow(ctx, workflowID, "", PendingQuery)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("querying the pending feedback of %s: %w", workflowID, err)
	}
	var out []Pending
	if err := v.Get(&out); err != nil {
		return nil, fmt.Errorf("decoding the pending feedback of %s: %w", workflowID, err)
	}
	return out, nil
}

// Awaiting is a run waiting for a person.
type Awaiting struct {
	WorkflowID   string
	RunID        string
	WorkflowType string
	StartTime    time.Time
}

// AwaitingQuery is the visibility query of the running runs that await
// feedback (also usable in the Web UI's search box).
const AwaitingQuery = AwaitingAttribute + " = true AND ExecutionStatus = 'Running'"

// ListAwaiting returns the running runs whose GraflowAwaitingFeedback is
// true, dynamic children included, oldest first as the server lists them.
// Visibility lags the runs by a moment.
func (c *Client) ListAwaiting(ctx context.Context) ([]Awaiting, error) {
	var out []Awaiting
	var token []byte
	for {
		resp, err := c.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: AwaitingQuery, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("listing runs awaiting feedback: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			out = append(out, Awaiting{
				WorkflowID:   e.GetExecution().GetWorkflowId(),
				RunID:        e.GetExecution().GetRunId(),
				WorkflowType: e.GetType().GetName(),
				StartTime:    e.GetStartTime().AsTime(),
			})
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out, nil
		}
	}
}
