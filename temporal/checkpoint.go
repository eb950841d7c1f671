package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/signals"
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
func (r *run) checkpoint(ctx workflow.Context, taskID string, cmds []wire.Command) error {
	var last *wire.Command
	for i := range cmds {
		if cmds[i].Kind == wire.CommandCheckpoint {
			last = &cmds[i]
		}
	}
	if last == nil {
		return nil
	}
	info := workflow.GetInfo(ctx)
	cp := wire.Checkpoint{
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

// ErrRunRunning is returned when resuming a run that is still running
// without TerminateRunning: the reset would terminate it.
var ErrRunRunning = errors.New("graflow: the run is still running")

// ResumeError is a resume the manager or the server refused: why, and the
// checkpoints that can be resumed instead.
type ResumeError struct {
	WorkflowID   string
	CheckpointID string
	// RunID is the run that took the checkpoint.
	RunID string
	// Resumable are the ids of the checkpoints that can be resumed.
	Resumable []string
	Err       error
}

// Error says which checkpoint cannot be resumed, why, and which can.
func (e *ResumeError) Error() string {
	msg := fmt.Sprintf("graflow: cannot resume %s from checkpoint %s", e.WorkflowID, e.CheckpointID)
	if e.RunID != "" {
		msg += " (run " + e.RunID + ")"
	}
	msg += ": " + e.Err.Error()
	if len(e.Resumable) > 0 {
		msg += "; resumable checkpoints: " + strings.Join(e.Resumable, ", ")
	}
	return msg
}

// Unwrap returns the cause.
func (e *ResumeError) Unwrap() error { return e.Err }

// ResumeOption changes how a run is resumed.
type ResumeOption func(*resumeConfig)

type resumeConfig struct {
	terminateRunning bool
}

// TerminateRunning lets a resume reset a run that is still running: the
// running run is terminated and the new one starts from the checkpoint.
func TerminateRunning() ResumeOption { return func(c *resumeConfig) { c.terminateRunning = true } }

// CheckpointManager lists a run's checkpoints and resumes a run from one:
// Temporal resets the run to the checkpoint's workflow task, so the tasks
// before it are not executed again and the rest runs with the workers'
// current code (a fixed task, say).
//
// Feedback answers the run received after the checkpoint are kept: the
// resumed run holds them as answers to requests not made yet, so the task
// that asks gets its answer at once. Signals are reapplied by Temporal;
// Updates are not, and the manager sends each feedback answer accepted by
// Update again as a feedback signal (with the signals, in their order). No
// other Update exists; graflow has no other signal. Answers given to
// dynamic child runs started after the checkpoint are kept too
// (childfeedback.go).
type CheckpointManager struct {
	client client.Client
	runner *Runner
	ns     string
	dc     converter.DataConverter
}

// NewCheckpointManager returns a manager using c; opts are those of the
// Runner that started the runs. With a client that encrypts payloads, set
// opts.DataConverter to the client's converter: the manager decodes
// checkpoints and answers read from histories with it.
func NewCheckpointManager(c client.Client, opts RunnerOptions) *CheckpointManager {
	ns := opts.Namespace
	if ns == "" {
		ns = "default"
	}
	dc := opts.DataConverter
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	return &CheckpointManager{client: c, runner: NewRunner(c, opts), ns: ns, dc: dc}
}

// List returns the checkpoints of workflowID's latest run and of the runs
// it continued as new from, oldest first, each with the run whose history
// holds it (no worker needed).
func (m *CheckpointManager) List(ctx context.Context, workflowID string) ([]Checkpoint, error) {
	runs, err := m.chain(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	var cps []Checkpoint
	for _, runID := range runs {
		got, err := m.runCheckpoints(ctx, workflowID, runID)
		if err != nil {
			return nil, err
		}
		cps = append(cps, got...)
	}
	return cps, nil
}

// chain returns the run ids of workflowID's continue-as-new chain, oldest
// first, ending with the latest run.
func (m *CheckpointManager) chain(ctx context.Context, workflowID string) ([]string, error) {
	d, err := m.client.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return nil, fmt.Errorf("graflow: describing %s: %w", workflowID, err)
	}
	runs := []string{d.GetWorkflowExecutionInfo().GetExecution().GetRunId()}
	for {
		it := m.client.GetWorkflowHistory(ctx, workflowID, runs[0], false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		if !it.HasNext() {
			return nil, fmt.Errorf("graflow: history of %s run %s is empty", workflowID, runs[0])
		}
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("graflow: history of %s run %s: %w", workflowID, runs[0], err)
		}
		prev := ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if prev == "" {
			return runs, nil
		}
		runs = append([]string{prev}, runs...)
	}
}

// runCheckpoints reads the checkpoints recorded in one run's history.
func (m *CheckpointManager) runCheckpoints(ctx context.Context, workflowID, runID string) ([]Checkpoint, error) {
	var cps []Checkpoint
	it := m.client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("graflow: history of %s run %s: %w", workflowID, runID, err)
		}
		fields := ev.GetWorkflowPropertiesModifiedEventAttributes().GetUpsertedMemo().GetFields()
		for _, key := range slices.Sorted(maps.Keys(fields)) {
			if !strings.HasPrefix(key, checkpointMemo) {
				continue
			}
			var w wire.Checkpoint
			if err := m.dc.FromPayload(fields[key], &w); err != nil {
				return nil, fmt.Errorf("graflow: checkpoint %s of %s: %w", key, workflowID, err)
			}
			cp := Checkpoint{ID: w.ID, TaskID: w.TaskID, Metadata: w.Metadata, EventID: w.EventID}
			// A reset run copies the history before its reset point: the
			// checkpoint is this run's too, at the same event.
			cp.RunID = runID
			cps = append(cps, cp)
		}
	}
	return cps, nil
}

// ResumeFromCheckpoint resets the run that took checkpointID (any run of
// the continue-as-new chain) to it and returns a handle to the new run. A
// completed, failed, canceled, timed-out or terminated run is resumed; a
// running one only with TerminateRunning (else a *ResumeError wrapping
// ErrRunRunning).
func (m *CheckpointManager) ResumeFromCheckpoint(ctx context.Context, workflowID, checkpointID string, opts ...ResumeOption) (*graflow.Handle, error) {
	cps, err := m.List(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	for _, cp := range cps {
		if cp.ID == checkpointID {
			return m.reset(ctx, workflowID, cp, cps, opts)
		}
	}
	return nil, fmt.Errorf("%w %q in %s (checkpoints: %s)", ErrNoCheckpoint, checkpointID, workflowID, strings.Join(checkpointIDs(cps), ", "))
}

// ResumeFromLatest resumes workflowID from its latest checkpoint, as
// ResumeFromCheckpoint does.
func (m *CheckpointManager) ResumeFromLatest(ctx context.Context, workflowID string, opts ...ResumeOption) (*graflow.Handle, error) {
	cps, err := m.List(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	if len(cps) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoCheckpoint, workflowID)
	}
	return m.reset(ctx, workflowID, cps[len(cps)-1], cps, opts)
}

func checkpointIDs(cps []Checkpoint) []string {
	ids := make([]string, len(cps))
	for i, cp := range cps {
		ids[i] = cp.ID
	}
	return ids
}

// resumable returns the checkpoints of the latest run of the chain: those
// Temporal can always reset to.
func resumable(cps []Checkpoint) []string {
	if len(cps) == 0 {
		return nil
	}
	last := cps[len(cps)-1].RunID
	var ids []string
	for _, cp := range cps {
		if cp.RunID == last {
			ids = append(ids, cp.ID)
		}
	}
	return ids
}

func (m *CheckpointManager) reset(ctx context.Context, workflowID string, cp Checkpoint, cps []Checkpoint, opts []ResumeOption) (*graflow.Handle, error) {
	var cfg resumeConfig
	for _, o := range opts {
		o(&cfg)
	}
	refuse := func(err error) error {
		return &ResumeError{WorkflowID: workflowID, CheckpointID: cp.ID, RunID: cp.RunID, Resumable: resumable(cps), Err: err}
	}
	d, err := m.client.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return nil, fmt.Errorf("graflow: describing %s: %w", workflowID, err)
	}
	if st := d.GetWorkflowExecutionInfo().GetStatus(); st == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && !cfg.terminateRunning {
		return nil, refuse(fmt.Errorf("%w (run %s); resume with TerminateRunning to terminate it", ErrRunRunning, d.GetWorkflowExecutionInfo().GetExecution().GetRunId()))
	}
	got, err := m.receivedAfter(ctx, workflowID, cp.RunID, cp.EventID)
	if err != nil {
		return nil, err
	}
	forChildren, err := m.childAnswers(ctx, got.children)
	if err != nil {
		return nil, err
	}
	req := &workflowservice.ResetWorkflowExecutionRequest{
		Namespace:                 m.ns,
		WorkflowExecution:         &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: cp.RunID},
		Reason:                    "graflow: resume from checkpoint " + cp.ID,
		WorkflowTaskFinishEventId: cp.EventID,
		RequestId:                 uuid.NewString(),
		// Reapplied Updates would reach the run before the request they
		// answer exists, and be refused: feedback answers are sent again.
		ResetReapplyExcludeTypes: []enumspb.ResetReapplyExcludeType{enumspb.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE},
	}
	// Temporal reapplies the signals, atomically with the reset, unless an
	// answer came by Update: then all are sent again, in their order.
	var resend []resentSignal
	if got.byUpdate {
		resend = got.signals
		req.ResetReapplyExcludeTypes = append(req.ResetReapplyExcludeTypes, enumspb.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL)
	}
	res, err := m.client.ResetWorkflowExecution(ctx, req)
	if err != nil {
		return nil, refuse(err)
	}
	runID := res.GetRunId()
	// Not atomic with the reset: should this process end here, the
	// answers not sent yet must be given again.
	resent := func(what string, err error) error {
		return fmt.Errorf("graflow: resumed %s from checkpoint %s as run %s, but re-sending %s failed (give it again): %w", workflowID, cp.ID, runID, what, err)
	}
	for _, s := range resend {
		_, err := m.client.WorkflowService().SignalWorkflowExecution(ctx, &workflowservice.SignalWorkflowExecutionRequest{
			Namespace:         m.ns,
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: runID},
			SignalName:        s.name,
			Input:             s.input,
			Header:            s.header,
			Identity:          "graflow checkpoint manager",
			RequestId:         uuid.NewString(),
		})
		if err != nil {
			return nil, resent("its "+s.name+" signal", err)
		}
	}
	for _, a := range forChildren {
		if err := m.client.SignalWorkflow(ctx, workflowID, runID, childFeedbackSignal, a); err != nil {
			return nil, resent(fmt.Sprintf("the answer to %q of child %s", a.RequestID, a.Child), err)
		}
	}
	return engine.NewHandle(m.runner, workflowID, runID), nil
}

// resentSignal is a signal the resumed run is sent again.
type resentSignal struct {
	name   string
	input  *commonpb.Payloads
	header *commonpb.Header
	at     time.Time
}

// received is what a run received after an event.
type received struct {
	// signals are the signals and the feedback answers accepted (and not
	// failed) by Update, as feedback signals, in their order.
	signals []resentSignal
	// byUpdate: one of the answers kept came by Update.
	byUpdate bool
	// children are the child runs it started.
	children []*commonpb.WorkflowExecution
}

// receivedAfter reads what run runID of workflowID received after event
// after.
func (m *CheckpointManager) receivedAfter(ctx context.Context, workflowID, runID string, after int64) (*received, error) {
	var got received
	updates := map[string]int{} // update id -> index in got.signals
	failed := map[int]bool{}
	it := m.client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("graflow: history of %s run %s: %w", workflowID, runID, err)
		}
		if ev.GetEventId() <= after {
			continue
		}
		at := ev.GetEventTime().AsTime()
		if a := ev.GetWorkflowExecutionSignaledEventAttributes(); a != nil {
			got.signals = append(got.signals, resentSignal{name: a.GetSignalName(), input: a.GetInput(), header: a.GetHeader(), at: at})
		}
		if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetInput().GetName() == signals.FeedbackName {
			updates[a.GetAcceptedRequest().GetMeta().GetUpdateId()] = len(got.signals)
			in := a.GetAcceptedRequest().GetInput()
			got.signals = append(got.signals, resentSignal{name: signals.FeedbackName, input: in.GetArgs(), header: in.GetHeader(), at: at})
		}
		if a := ev.GetWorkflowExecutionUpdateCompletedEventAttributes(); a != nil && a.GetOutcome().GetFailure() != nil {
			if i, ok := updates[a.GetMeta().GetUpdateId()]; ok {
				failed[i] = true
			}
		}
		if a := ev.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
			got.children = append(got.children, a.GetWorkflowExecution())
		}
	}
	got.byUpdate = len(updates) > len(failed)
	kept := got.signals[:0]
	for i, s := range got.signals {
		if !failed[i] {
			kept = append(kept, s)
		}
	}
	got.signals = kept
	return &got, nil
}
