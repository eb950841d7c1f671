package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
)

// CheckpointsQuery lists a run's checkpoints ([]Checkpoint).
const CheckpointsQuery = "graflow.checkpoints"

// checkpointMemo prefixes the memo key under which each checkpoint is
// recorded in the run's history, so that it can be found without a worker.
const checkpointMemo = "graflow.checkpoint."

// ErrNoCheckpoint is returned when a run has no (such) checkpoint.
var ErrNoCheckpoint = errors.New("graflow: no checkpoint")

// Checkpoint is a point a run can be resumed from: taken by
// TaskContext.Checkpoint once the task finished and its successors were
// queued. EventID is the run's workflow-task-completed event to reset to.
type Checkpoint struct {
	ID       string         `json:"id"`
	TaskID   string         `json:"task_id"`
	Metadata map[string]any `json:"metadata,omitempty"`
	RunID    string         `json:"run_id"`
	EventID  int64          `json:"event_id"`
}

// checkpoint records the checkpoint a task asked for (its last request),
// as a memo entry of the run and in its state; hook of settle.
func (r *run) checkpoint(ctx workflow.Context, taskID string, cmds []activities.Command) error {
	var last *activities.Command
	for i := range cmds {
		if cmds[i].Kind == graflow.CommandCheckpoint {
			last = &cmds[i]
		}
	}
	if last == nil {
		return nil
	}
	info := workflow.GetInfo(ctx)
	cp := Checkpoint{
		ID:      fmt.Sprintf("%s-%d", taskID, len(r.checkpoints)+1),
		TaskID:  taskID,
		RunID:   info.WorkflowExecution.RunID,
		EventID: int64(info.GetCurrentHistoryLength()) + 1,
	}
	if len(last.Metadata) > 0 {
		if err := json.Unmarshal(last.Metadata, &cp.Metadata); err != nil {
			return fmt.Errorf("graflow: checkpoint of task %q: %w", taskID, err)
		}
	}
	r.checkpoints = append(r.checkpoints, cp)
	return workflow.UpsertMemo(ctx, map[string]any{checkpointMemo + cp.ID: cp})
}

// CheckpointManager lists a run's checkpoints and resumes a run from one:
// Temporal resets the run to the checkpoint's workflow task, so the tasks
// before it are not executed again and the rest runs with the workers'
// current code (a fixed task, say).
type CheckpointManager struct {
	client client.Client
	runner *Runner
	ns     string
}

// NewCheckpointManager returns a manager using c; opts are those of the
// Runner that started the runs.
func NewCheckpointManager(c client.Client, opts RunnerOptions) *CheckpointManager {
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	return &CheckpointManager{client: c, runner: NewRunner(c, opts), ns: ns}
}

// List returns the checkpoints of the latest run of workflowID, oldest
// first, read from its history (no worker needed).
func (m *CheckpointManager) List(ctx context.Context, workflowID string) ([]Checkpoint, error) {
	var cps []Checkpoint
	it := m.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("graflow: history of %s: %w", workflowID, err)
		}
		attrs := ev.GetWorkflowPropertiesModifiedEventAttributes()
		if attrs == nil {
			continue
		}
		for key, p := range attrs.GetUpsertedMemo().GetFields() {
			if !strings.HasPrefix(key, checkpointMemo) {
				continue
			}
			var cp Checkpoint
			if err := json.Unmarshal(p.GetData(), &cp); err != nil {
				return nil, fmt.Errorf("graflow: checkpoint %s of %s: %w", key, workflowID, err)
			}
			cps = append(cps, cp)
		}
	}
	return cps, nil
}

// ResumeFromCheckpoint resets the run that took checkpointID to it and
// returns a handle to the new run.
func (m *CheckpointManager) ResumeFromCheckpoint(ctx context.Context, workflowID, checkpointID string) (*graflow.Handle, error) {
	cps, err := m.List(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, cp := range cps {
		if cp.ID == checkpointID {
			return m.reset(ctx, workflowID, cp)
		}
		ids = append(ids, cp.ID)
	}
	return nil, fmt.Errorf("%w %q in %s (checkpoints: %s)", ErrNoCheckpoint, checkpointID, workflowID, strings.Join(ids, ", "))
}

// ResumeFromLatest resumes workflowID from its latest checkpoint.
func (m *CheckpointManager) ResumeFromLatest(ctx context.Context, workflowID string) (*graflow.Handle, error) {
	cps, err := m.List(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoCheckpoint, workflowID)
	}
	return m.reset(ctx, workflowID, cps[len(cps)-1])
}

func (m *CheckpointManager) reset(ctx context.Context, workflowID string, cp Checkpoint) (*graflow.Handle, error) {
	res, err := m.client.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 m.ns,
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: cp.RunID},
		Reason:                    "graflow: resume from checkpoint " + cp.ID,
		WorkflowTaskFinishEventId: cp.EventID,
		RequestId:                 uuid.NewString(),
	})
	if err != nil {
		return nil, fmt.Errorf("graflow: resuming %s from checkpoint %s: %w", workflowID, cp.ID, err)
	}
	return graflow.NewHandle(m.runner, workflowID, res.GetRunId()), nil
}
