package runview

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// ErrNotFound says the server has no run of the workflow id.
var ErrNotFound = errors.New("no such run")

// feedbackQueryTimeout bounds the wait for a worker to list a run's
// feedback requests.
const feedbackQueryTimeout = 5 * time.Second

// Load reads run workflowID/runID ("" = the latest) from c: its history,
// then what only the server knows while it runs (retrying tasks' attempts
// and last errors, checkpoints, pending feedback requests, which a worker
// answers by query). dc decodes payloads (nil = Temporal's default).
func Load(ctx context.Context, c client.Client, workflowID, runID string, dc converter.DataConverter) (*Run, error) {
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, runID)
	if err != nil {
		if _, ok := errors.AsType[*serviceerror.NotFound](err); ok {
			return nil, fmt.Errorf("%w: workflow id %q", ErrNotFound, workflowID)
		}
		return nil, fmt.Errorf("describing %s: %w", workflowID, err)
	}
	info := desc.GetWorkflowExecutionInfo()
	runID = info.GetExecution().GetRunId()
	r := newReader(dc)
	r.run.WorkflowID = workflowID
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("reading the history of %s: %w", workflowID, err)
		}
		if err := r.Apply(ev); err != nil {
			return nil, err
		}
	}
	if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		r.now = time.Now()
		r.pending(desc.GetPendingActivities())
	}
	run := r.Run()
	run.RunID = runID
	run.Status = StatusName(info.GetStatus())
	run.Build = Build(info)
	if len(info.GetMemo().GetFields()) > 0 {
		// Checkpoints are memo entries; List also walks continue-as-new.
		if run.Checkpoints, err = temporal.NewCheckpointManager(c, temporal.RunnerOptions{DataConverter: dc}).List(ctx, workflowID); err != nil {
			return nil, err
		}
	}
	if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && slices.ContainsFunc(run.Tasks, func(t Task) bool { return t.State == flowgraph.Waiting }) {
		qctx, cancel := context.WithTimeout(ctx, feedbackQueryTimeout)
		defer cancel()
		if run.Feedback, err = signals.NewClient(c).Pending(qctx, workflowID); err != nil {
			run.FeedbackUnknown = true
		}
	}
	return run, nil
}

// pending folds in the server's view of the activities still open: their
// current attempt, worker and last failure, which the history records only
// once they close.
func (r *reader) pending(acts []*workflowpb.PendingActivityInfo) {
	for _, a := range acts {
		t := r.tasks[r.byActivity[a.GetActivityId()]]
		if t == nil {
			continue
		}
		t.Attempts += int(a.GetAttempt()) - 1
		t.Worker = cmpOr(a.GetLastWorkerIdentity(), t.Worker)
		switch {
		case a.GetLastFailure() != nil:
			t.State, t.Error = flowgraph.Retrying, a.GetLastFailure().GetMessage()
		case a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED:
			t.State = flowgraph.Running
		}
	}
}

// StatusName names an execution status as the temporal CLI does
// (WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW → ContinuedAsNew).
func StatusName(s enumspb.WorkflowExecutionStatus) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_"), "_") {
		if p != "" {
			b.WriteString(p[:1] + strings.ToLower(p[1:]))
		}
	}
	return b.String()
}
