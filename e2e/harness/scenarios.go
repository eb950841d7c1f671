package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// The scenarios both suites run. Each takes the suite's Env; the caller
// decides on t.Parallel.

// Examples runs every example through the cmd/worker process and checks
// its printed result.
func (e *Env) Examples(t *testing.T) {
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			opts := append([]graflow.ExecuteOption{graflow.WorkflowID("e2e-" + ex.Name)}, ex.Options...)
			res, err := ex.Workflow().Execute(context.Background(), e.ExampleRunner, opts...)
			got, err := ex.Printed(res, err)
			require.NoError(t, err)
			require.Equal(t, ex.Output, got)
			if !ex.Fails {
				require.Equal(t, "e2e-"+ex.Name, res.WorkflowID)
				require.NotEmpty(t, res.RunID)
			}
		})
	}
}

// DynamicFanOut runs a width-branch dynamic fan-out whose members read a
// key and Add, Append and Set without declaring anything: it completes,
// every write is merged exactly once, and no run's history passes maxEvents.
func (e *Env) DynamicFanOut(t *testing.T, width, maxEvents int) {
	const base = 7
	start := time.Now()
	res, err := e.Run(t, Flow(t, graflow.Chain(c.ScaleFanOut.Instance("fan", graflow.Params{"width": width}), c.ScaleCount.Instance("total", nil))),
		graflow.InitialChannel(map[string]any{"base": base}))
	require.NoError(t, err)
	elapsed := time.Since(start)
	var total int
	require.NoError(t, res.Value(&total))
	assert.Equal(t, width, total)
	assert.Equal(t, float64(width*base+width*(width-1)/2), ChannelValue[float64](t, res, "sum"))
	items := ChannelValue[[]int](t, res, "items")
	slices.Sort(items)
	assert.Len(t, items, width)
	assert.Len(t, slices.Compact(items), width, "no append merged twice")
	for i := range width {
		require.Equal(t, i, ChannelValue[int](t, res, fmt.Sprintf("leaf_%05d", i)))
	}

	cl := e.Server.Client()
	largest, runs := HistoryLength(t, cl, res.WorkflowID), 1
	for b := 1; b <= (width+temporal.BranchesPerBatch-1)/temporal.BranchesPerBatch; b++ {
		n := HistoryLength(t, cl, fmt.Sprintf("%s/leaves/batch-%d", res.WorkflowID, b))
		largest = max(largest, n)
		runs++
	}
	t.Logf("%d-branch dynamic fan-out: %v, %d runs, largest history %d events", width, elapsed.Round(time.Millisecond), runs, largest)
	assert.LessOrEqual(t, largest, maxEvents)
}

// WorkerKilledMidTask kills a worker with SIGKILL in the middle of a
// 5-second task: another worker takes the task over, the run completes,
// the task ran at most twice and its channel write is there exactly once.
// The task's own retry budget is 0: crashes are retried regardless.
func (e *Env) WorkerKilledMidTask(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "attempts.log")
	first, err := e.SpawnWorker("testworker", c.CrashQueue, "crash-1")
	require.NoError(t, err)

	wf := Flow(t, graflow.Chain(c.SlowWriter.Instance("slow", graflow.Params{"path": trace, "seconds": 5}), Step("after")))
	h, err := wf.Start(context.Background(), e.ConformRunner, graflow.WorkflowID("kill-9"))
	require.NoError(t, err)

	require.Eventually(t, func() bool { return strings.Contains(ReadFile(trace), "start 1") }, 30*time.Second, 50*time.Millisecond)
	first.Kill(syscall.SIGKILL)
	second, err := e.SpawnWorker("testworker", c.CrashQueue, "crash-2")
	require.NoError(t, err)
	t.Cleanup(func() { second.Kill(syscall.SIGTERM) })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := h.Result(ctx)
	require.NoError(t, err)
	t.Logf("attempts:\n%s", ReadFile(trace))
	assert.LessOrEqual(t, strings.Count(ReadFile(trace), "start"), 2)
	assert.Equal(t, 1, strings.Count(ReadFile(trace), "done"))
	var writes []string
	require.NoError(t, res.Channel.Get("writes", &writes))
	assert.Equal(t, []string{"slow"}, writes)
	assert.Equal(t, []string{"after"}, ChannelLog(t, res))
}

// FailAfterCheckpoint runs step_1 >> step_2 (checkpoint) >> step_3 >>
// step_4 as workflowID with only a buggy worker on the recovery queue: the
// run fails in step_3. It returns the trace file of the task executions.
func (e *Env) FailAfterCheckpoint(t *testing.T, ctx context.Context, workflowID string) string {
	t.Helper()
	return e.FailAfterCheckpointOn(t, ctx, workflowID, "testworker", e.ConformRunner)
}

// FailAfterCheckpointOn is FailAfterCheckpoint with the buggy worker a
// process of the binary bin and the run started by runner.
func (e *Env) FailAfterCheckpointOn(t *testing.T, ctx context.Context, workflowID, bin string, runner *temporal.Runner) string {
	t.Helper()
	trace := filepath.Join(t.TempDir(), "trace.log")
	p := graflow.Params{"path": trace}
	buggy, err := e.SpawnWorkerEnv(bin, c.RecoveryQueue, workflowID+"-buggy", []string{c.BugEnv + "=1"})
	require.NoError(t, err)
	defer buggy.Kill(syscall.SIGTERM)
	wf := graflow.NewWorkflow("fault_tolerant")
	wf.Add(graflow.Chain(c.Trace.Instance("step_1", p), c.Checkpointer.Instance("step_2", p), c.Buggy.Instance("step_3", p), c.Trace.Instance("step_4", p)))
	_, err = wf.Execute(ctx, runner, graflow.WorkflowID(workflowID))
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "step_3", te.TaskID)
	assert.Contains(t, te.Error(), "bug: division by zero")
	return trace
}

// RequireResumed waits for the resumed run h and checks that it completed
// and that the tasks before the checkpoint ran exactly once.
func RequireResumed(t *testing.T, ctx context.Context, h *graflow.Handle, trace string) {
	t.Helper()
	res, err := h.Result(ctx)
	require.NoError(t, err)
	var last string
	require.NoError(t, res.Value(&last))
	assert.Equal(t, "step_4", last)
	assert.Equal(t, []string{"step_1", "step_2", "step_3", "step_4"}, strings.Fields(ReadFile(trace)))
}

// ResumeWithManager is the fault-recovery pattern (README, "Checkpoints")
// through temporal.CheckpointManager: a run fails in a task after a
// checkpoint; the bug is fixed (a worker with the fixed task); resuming
// from the latest checkpoint completes the run, and the tasks before the
// checkpoint ran exactly once.
func (e *Env) ResumeWithManager(t *testing.T, ctx context.Context, workflowID string) {
	manager := temporal.NewCheckpointManager(e.Server.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	trace := e.FailAfterCheckpoint(t, ctx, workflowID)
	cps, err := manager.List(ctx, workflowID)
	require.NoError(t, err)
	require.Len(t, cps, 1)
	assert.Equal(t, "step_2", cps[0].TaskID)
	assert.Equal(t, map[string]any{"stage": "after_load"}, cps[0].Metadata, "the task's last request wins")

	_, err = manager.ResumeFromCheckpoint(ctx, workflowID, "nope")
	require.ErrorIs(t, err, temporal.ErrNoCheckpoint)
	assert.Contains(t, err.Error(), cps[0].ID)

	fixed, err := e.SpawnWorker("testworker", c.RecoveryQueue, workflowID+"-fixed")
	require.NoError(t, err)
	defer fixed.Kill(syscall.SIGTERM)
	h, err := manager.ResumeFromLatest(ctx, workflowID)
	require.NoError(t, err)
	RequireResumed(t, ctx, h, trace)
}

// Feedback returns a signals client on the suite's server.
func (e *Env) Feedback() *signals.Client { return signals.NewClient(e.Server.Client()) }

// WaitPending waits until requestID is listed by the run's pending-feedback
// Query (and meets every cond) and returns it.
func (e *Env) WaitPending(t *testing.T, workflowID, requestID string, cond ...func(signals.Pending) bool) signals.Pending {
	t.Helper()
	fc := e.Feedback()
	var found signals.Pending
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		pending, err := fc.Pending(context.Background(), workflowID)
		require.NoError(ct, err)
		i := slices.IndexFunc(pending, func(p signals.Pending) bool { return p.RequestID == requestID })
		require.GreaterOrEqual(ct, i, 0, "%s not pending in %s: %+v", requestID, workflowID, pending)
		for _, ok := range cond {
			require.True(ct, ok(pending[i]))
		}
		found = pending[i]
	}, 60*time.Second, 50*time.Millisecond)
	return found
}

// WaitListed waits until visibility lists workflowID among the runs
// awaiting feedback (search attribute GraflowAwaitingFeedback).
func (e *Env) WaitListed(t *testing.T, workflowID string) {
	t.Helper()
	fc := e.Feedback()
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		runs, err := fc.ListAwaiting(context.Background())
		require.NoError(ct, err)
		require.True(ct, slices.ContainsFunc(runs, func(a signals.Awaiting) bool { return a.WorkflowID == workflowID }))
	}, 30*time.Second, 100*time.Millisecond)
}

// ResultOf waits up to 2 minutes for the run's result.
func ResultOf(t *testing.T, h *graflow.Handle) (*graflow.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return h.Result(ctx)
}

// Ask is an instance of the conformance Ask task.
func Ask(id string, in c.AskIn) *graflow.Instance {
	raw, _ := json.Marshal(in)
	var p graflow.Params
	_ = json.Unmarshal(raw, &p)
	return c.Ask.Instance(id, p)
}

// HITLAnswers is scenario 89 on the server: approval (yes, and no with a
// reason), text, a selection among fast/balanced/thorough, a multiple
// selection and a custom answer, each answered within the timeout through
// the signals client's validated Update, and a text answered by Signal;
// each run is listed by visibility as awaiting feedback while it waits
// (prefix names the runs).
func (e *Env) HITLAnswers(t *testing.T, prefix string) {
	for name, tc := range map[string]struct {
		in     c.AskIn
		answer signals.Answer
		want   string
		signal bool // answered by Signal instead of Update
	}{
		"approved":  {c.AskIn{Kind: "approval"}, signals.Approve("q"), "approved", false},
		"rejected":  {c.AskIn{Kind: "approval"}, signals.Reject("q", "too risky"), "rejected: too risky", false},
		"text":      {c.AskIn{Kind: "text"}, signals.Text("q", "hello"), "hello", false},
		"selection": {c.AskIn{Kind: "selection", Options: []string{"fast", "balanced", "thorough"}}, signals.Select("q", "balanced"), "balanced", false},
		"multi":     {c.AskIn{Kind: "multi_selection", Options: []string{"fast", "balanced", "thorough"}}, signals.Select("q", "thorough", "fast"), "thorough,fast", false},
		"custom":    {c.AskIn{Kind: "custom"}, signals.Custom("q", map[string]any{"n": 1}), `{"n":1}`, false},
		"signal":    {c.AskIn{Kind: "text"}, signals.Text("q", "by signal"), "by signal", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.in.ID, tc.in.TimeoutMS = "q", 60_000
			id := prefix + name
			h, err := Flow(t, Ask("asker", tc.in)).Start(context.Background(), e.ConformRunner, graflow.WorkflowID(id))
			require.NoError(t, err)
			e.WaitPending(t, id, "q")
			e.WaitListed(t, id)
			if tc.signal {
				require.NoError(t, e.Feedback().Signal(context.Background(), id, tc.answer))
			} else {
				_, err = e.Feedback().Answer(context.Background(), id, tc.answer)
				require.NoError(t, err)
			}
			res, err := ResultOf(t, h)
			require.NoError(t, err)
			assert.Equal(t, tc.want, Value[string](t, res))
		})
	}
}
