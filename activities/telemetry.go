package activities

import (
	"context"
	"errors"
	"time"

	"github.com/graflow-go/graflow/internal/wire"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Names of the metrics Runner.Run records through the SDK client's MetricsHandler
// (client.Options.MetricsHandler), tagged like the SDK's activity metrics
// (activity_type = the task's name, workflow_type, task_queue, namespace).
// A Prometheus endpoint shows the counters with a _total suffix and the
// timer as a histogram in seconds (graflow_task_latency_seconds).
const (
	// MetricTasksStarted counts task attempts started.
	MetricTasksStarted = "graflow_tasks_started"
	// MetricTasksSucceeded counts task attempts that returned a value.
	MetricTasksSucceeded = "graflow_tasks_succeeded"
	// MetricTasksFailed counts failed task attempts, tagged reason=error
	// (the task's own error, retried only as WithMaxRetries says) or
	// reason=infrastructure (a stopping worker, an unreachable channel:
	// Temporal runs the attempt again).
	MetricTasksFailed = "graflow_tasks_failed"
	// MetricTaskLatency times task attempts, tagged outcome=succeeded,
	// failed or suspended (the task asked for feedback it has no answer
	// for yet; it runs again once answered).
	MetricTaskLatency = "graflow_task_latency"
)

// Attributes Runner.Run adds to the span of the task attempt (the SDK tracing
// interceptor's RunActivity:<task> span), when tracing is on.
const (
	AttrTaskID  = "graflow.task_id"
	AttrAttempt = "graflow.attempt"
	AttrCycle   = "graflow.cycle"
)

// observe names the attempt of in on its span (AttrTaskID, AttrAttempt,
// AttrCycle), counts it as started and returns the function that records
// how it ended (MetricTasksSucceeded or MetricTasksFailed, and
// MetricTaskLatency).
func observe(ctx context.Context, in wire.Input) (ended func(*wire.Output, error)) {
	info := activity.GetInfo(ctx)
	trace.SpanFromContext(ctx).SetAttributes(
		attribute.String(AttrTaskID, in.TaskID),
		attribute.Int(AttrAttempt, max(in.Attempt, 1)+int(info.Attempt)-1),
		attribute.Int(AttrCycle, in.Cycle),
	)
	metrics := activity.GetMetricsHandler(ctx)
	metrics.Counter(MetricTasksStarted).Inc(1)
	start := time.Now()
	return func(out *wire.Output, err error) {
		outcome := "succeeded"
		switch {
		case err != nil:
			outcome = "failed"
			metrics.WithTags(map[string]string{"reason": failureReason(err)}).Counter(MetricTasksFailed).Inc(1)
		case out.Suspended != nil:
			outcome = "suspended"
		default:
			metrics.Counter(MetricTasksSucceeded).Inc(1)
		}
		metrics.WithTags(map[string]string{"outcome": outcome}).Timer(MetricTaskLatency).Record(time.Since(start))
	}
}

// failureReason is the reason tag of a failed attempt: "error" when
// Temporal does not retry it (the task's own error, an unregistered task),
// "infrastructure" when it does.
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.NonRetryable() {
		return "error"
	}
	return "infrastructure"
}
