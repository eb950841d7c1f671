package e2e_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
)

// startRaw starts workflow type name on queue with a plain SDK client, the
// way the Web UI, the temporal CLI or another SDK does (nothing of graflow
// on the starting path), and waits for the run to close.
func startRaw(t *testing.T, queue, id, name string, args ...any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := srv.Client().ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, name, args...)
	require.NoError(t, err)
	return run.Get(ctx, nil)
}

// rawResult is the graflow result of a closed run, read with the Runner.
func rawResult(t *testing.T, id string) (*graflow.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return conformRunner.Result(ctx, id, "")
}

func TestStartByName(t *testing.T) {
	tests := []struct {
		name  string
		args  []any
		greet string
		log   []string
	}{
		{"no input", nil, "/0", []string{"log_end"}},
		{"channel", []any{map[string]any{"channel": map[string]any{"name": "ada", "count": 2}}}, "ada/2", []string{"log_end"}},
		{"start", []any{map[string]any{"start": "log_end"}}, "", []string{"log_end"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := "by-name-" + tc.name
			require.NoError(t, startRaw(t, c.TaskQueue, id, c.ByNameWorkflow, tc.args...))
			res, err := rawResult(t, id)
			require.NoError(t, err)
			assert.Equal(t, "log_end", value[string](t, res))
			assert.Equal(t, tc.log, channelLog(t, res))
			if tc.greet != "" {
				assert.Equal(t, tc.greet, channelValue[string](t, res, graflow.ResultKey("greet")))
			} else {
				assert.False(t, res.Channel.Has(graflow.ResultKey("greet")), "greet is before the start")
			}
		})
	}
}

// An example started by name on cmd/worker's queue prints its output.
func TestStartExampleByName(t *testing.T) {
	ex, ok := examples.Get("diamond")
	require.True(t, ok)
	require.NoError(t, startRaw(t, examplesQueue, "by-name-diamond", "diamond"))
	res, err := exampleRunner.Result(context.Background(), "by-name-diamond", "")
	got, err := ex.Printed(res, err)
	require.NoError(t, err)
	assert.Equal(t, ex.Output, got)
}

// An unknown type or an input of the wrong shape fails at once, Failed in
// the UI, non-retryable, with the typed error — never a Completed run that
// did nothing.
func TestStartByNameRefused(t *testing.T) {
	tests := []struct {
		name, workflow, errType string
		args                    []any
		sentinel                error
	}{
		{"unknown type", "no_such_workflow", "graflow.WorkflowNotRegistered", nil, graflow.ErrWorkflowNotRegistered},
		{"bad input", c.ByNameWorkflow, "graflow.InvalidInput", []any{map[string]any{"chanel": map[string]any{}}}, graflow.ErrInvalidInput},
		{"unknown start", c.ByNameWorkflow, "graflow.InvalidInput", []any{map[string]any{"start": "nowhere"}}, graflow.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := "by-name-refused-" + tc.name
			start := time.Now()
			err := startRaw(t, c.TaskQueue, id, tc.workflow, tc.args...)
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second)
			var app *sdktemporal.ApplicationError
			require.True(t, errors.As(err, &app), "%v", err)
			assert.Equal(t, tc.errType, app.Type())
			assert.True(t, app.NonRetryable())
			assert.Contains(t, app.Error(), c.TaskQueue)
			assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, describe(t, id).WorkflowExecutionInfo.Status)
			_, err = rawResult(t, id)
			assert.ErrorIs(t, err, tc.sentinel)
		})
	}
}

// A Temporal Schedule starts a graflow workflow by name; the triggered run
// completes with the schedule's input.
func TestScheduleStartsByName(t *testing.T) {
	runID := scheduledRun(t, "by-name-schedule", "by-name-scheduled")
	res, err := rawResult(t, runID)
	require.NoError(t, err)
	assert.Equal(t, "scheduled/1", channelValue[string](t, res, graflow.ResultKey("greet")))
}

// scheduledRun creates a paused hourly schedule scheduleID whose action
// starts c.ByNameWorkflow by name (workflow id actionID-<time>, channel
// name=scheduled, count=1), triggers it once, deletes it and returns the
// workflow id of the run it started.
func scheduledRun(t *testing.T, scheduleID, actionID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h, err := srv.Client().ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:     scheduleID,
		Spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}},
		Paused: true,
		Action: &client.ScheduleWorkflowAction{
			ID:        actionID,
			Workflow:  c.ByNameWorkflow,
			TaskQueue: c.TaskQueue,
			Args:      []any{map[string]any{"channel": map[string]any{"name": "scheduled", "count": 1}}},
		},
	})
	require.NoError(t, err)
	defer func() { _ = h.Delete(context.Background()) }()
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	var workflowID string
	require.Eventually(t, func() bool {
		d, err := h.Describe(ctx)
		if err != nil || len(d.Info.RecentActions) == 0 {
			return false
		}
		workflowID = d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
		return true
	}, time.Minute, 100*time.Millisecond)
	return workflowID
}
