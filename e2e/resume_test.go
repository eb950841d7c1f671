package e2e_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// These tests share the recovery queue, whose workers they start and stop
// (buggy or fixed): they do not run in parallel.

// approvalFlow is step_1 >> step_2 (checkpoint) >> ask (approval "ok") >>
// step_3 >> step_4, every task tracing to trace; step_3 is Buggy if buggy.
// With inChild, ask is replaced by spawn, which adds ask | other as a
// dynamic group: ask asks in a child run.
func approvalFlow(trace string, buggy, inChild bool) *graflow.Workflow {
	p := graflow.Params{"path": trace}
	step3 := c.Trace.Instance("step_3", p)
	if buggy {
		step3 = c.Buggy.Instance("step_3", p)
	}
	ask := c.TracedApproval.Instance("ask", graflow.Params{"path": trace, "id": "ok"})
	if inChild {
		ask = c.SpawnApproval.Instance("spawn", p)
	}
	wf := graflow.NewWorkflow("resume_after_approval")
	wf.Add(graflow.Chain(c.Trace.Instance("step_1", p), c.Checkpointer.Instance("step_2", p), ask, step3, c.Trace.Instance("step_4", p)))
	return wf
}

// requireEnds waits for h and requires the value "step_4" and the trace.
func requireEnds(t *testing.T, h *graflow.Handle, trace string, want ...string) {
	t.Helper()
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "step_4", value[string](t, res))
	assert.Equal(t, want, strings.Fields(readFile(trace)))
}

// The issue: an answer given after the checkpoint, through the Update or
// the Signal, to the run or to a dynamic child run of it, is kept by the
// resumed run: the task that asks gets it at once (the run ends without a
// new answer) and the tasks before the checkpoint do not run again.
func TestResumeKeepsFeedbackAnswers(t *testing.T) {
	manager := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	answers := []struct {
		name   string
		answer func(ctx context.Context, id string) error
	}{
		{"Update", func(ctx context.Context, id string) error {
			_, err := fc().Answer(ctx, id, signals.Approve("ok"))
			return err
		}},
		{"Signal", func(ctx context.Context, id string) error { return fc().Signal(ctx, id, signals.Approve("ok")) }},
	}
	for _, inChild := range []bool{false, true} {
		for _, tc := range answers {
			name := tc.name
			if inChild {
				name += "ToChild"
			}
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				id := "e2e-resume-answer-" + strings.ToLower(name)
				asker := id
				if inChild {
					asker = id + "/approvals/ask"
				}
				trace := filepath.Join(t.TempDir(), "trace.log")
				buggy, err := spawnWorkerEnv("testworker", c.RecoveryQueue, id+"-buggy", []string{c.BugEnv + "=1"})
				require.NoError(t, err)
				h, err := approvalFlow(trace, true, inChild).Start(ctx, conformRunner, graflow.WorkflowID(id))
				require.NoError(t, err)
				waitPending(t, asker, "ok")
				require.NoError(t, tc.answer(ctx, asker))
				_, err = h.Result(ctx)
				var te *graflow.TaskError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, "step_3", te.TaskID)
				buggy.Kill(syscall.SIGTERM)
				before := strings.Fields(readFile(trace))

				fixed, err := spawnWorker("testworker", c.RecoveryQueue, id+"-fixed")
				require.NoError(t, err)
				defer fixed.Kill(syscall.SIGTERM)
				h, err = manager.ResumeFromLatest(ctx, id)
				require.NoError(t, err)
				res, err := resultOf(t, h)
				require.NoError(t, err)
				assert.Equal(t, "step_4", value[string](t, res))
				lines := strings.Fields(readFile(trace))
				require.Greater(t, len(lines), len(before))
				assert.Equal(t, []string{"step_1", "step_2"}, lines[:2])
				if !inChild {
					assert.Equal(t, []string{"ask:approved", "ask:approved", "step_3", "step_4"}, lines[2:])
					return
				}
				// The branches' order varies; the resumed run adds the same group again.
				assert.ElementsMatch(t, []string{"spawn", "ask:approved", "other"}, before[2:])
				again := lines[len(before):]
				require.Len(t, again, 5)
				assert.ElementsMatch(t, []string{"spawn", "ask:approved", "other"}, again[:3])
				assert.Equal(t, []string{"step_3", "step_4"}, again[3:])
			})
		}
	}
}

// A run still running is refused (ErrRunRunning) unless TerminateRunning;
// a completed run and a terminated one are resumed. In each case the tasks
// before the checkpoint run once, and an answer given after it is kept.
func TestResumeRunningCompletedTerminated(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	manager := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	fixed, err := spawnWorker("testworker", c.RecoveryQueue, "e2e-resume-states")
	require.NoError(t, err)
	defer fixed.Kill(syscall.SIGTERM)
	start := func(t *testing.T, id string) (*graflow.Handle, string) {
		t.Helper()
		trace := filepath.Join(t.TempDir(), "trace.log")
		h, err := approvalFlow(trace, false, false).Start(ctx, conformRunner, graflow.WorkflowID(id))
		require.NoError(t, err)
		waitPending(t, id, "ok")
		return h, trace
	}

	t.Run("running", func(t *testing.T) {
		id := "e2e-resume-running"
		_, trace := start(t, id)
		_, err := manager.ResumeFromLatest(ctx, id)
		require.ErrorIs(t, err, temporal.ErrRunRunning)
		var re *temporal.ResumeError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "step_2-1", re.CheckpointID)
		assert.Equal(t, []string{"step_2-1"}, re.Resumable)
		assert.Contains(t, err.Error(), "TerminateRunning")

		h, err := manager.ResumeFromLatest(ctx, id, temporal.TerminateRunning())
		require.NoError(t, err)
		waitPending(t, id, "ok") // never answered: asked in the new run
		_, err = fc().Answer(ctx, id, signals.Approve("ok"))
		require.NoError(t, err)
		requireEnds(t, h, trace, "step_1", "step_2", "ask:approved", "step_3", "step_4")
	})

	t.Run("completed", func(t *testing.T) {
		id := "e2e-resume-completed"
		h, trace := start(t, id)
		_, err := fc().Answer(ctx, id, signals.Approve("ok"))
		require.NoError(t, err)
		requireEnds(t, h, trace, "step_1", "step_2", "ask:approved", "step_3", "step_4")
		h, err = manager.ResumeFromLatest(ctx, id)
		require.NoError(t, err)
		requireEnds(t, h, trace, "step_1", "step_2", "ask:approved", "step_3", "step_4", "ask:approved", "step_3", "step_4")
	})

	t.Run("terminated", func(t *testing.T) {
		id := "e2e-resume-terminated"
		_, trace := start(t, id)
		require.NoError(t, srv.Client().TerminateWorkflow(ctx, id, "", "test"))
		h, err := manager.ResumeFromLatest(ctx, id)
		require.NoError(t, err)
		waitPending(t, id, "ok") // never answered before: asked in the new run
		_, err = fc().Answer(ctx, id, signals.Approve("ok"))
		require.NoError(t, err)
		requireEnds(t, h, trace, "step_1", "step_2", "ask:approved", "step_3", "step_4")
	})
}

// A loop that checkpoints each iteration and continues as new: List
// returns the checkpoints of every run of the chain, oldest first, each
// with its run; a checkpoint of an earlier run is resumed, and so is the
// latest one.
func TestResumeAcrossContinueAsNew(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	manager := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	fixed, err := spawnWorker("testworker", c.RecoveryQueue, "e2e-resume-chain")
	require.NoError(t, err)
	defer fixed.Kill(syscall.SIGTERM)
	const until = 700
	id := "e2e-resume-chain"
	trace := filepath.Join(t.TempDir(), "trace.log")
	wf := graflow.NewWorkflow("checkpoint_loop")
	wf.Add(c.CheckpointLoop.Instance("loop", graflow.Params{"path": trace, "n": 1, "until": until}))
	h, err := wf.Start(ctx, conformRunner, graflow.WorkflowID(id))
	require.NoError(t, err)
	res, err := h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, until, value[int](t, res))
	require.Len(t, strings.Fields(readFile(trace)), until)

	cps, err := manager.List(ctx, id)
	require.NoError(t, err)
	require.Len(t, cps, until)
	var runs []string
	for i, cp := range cps {
		assert.Equal(t, fmt.Sprintf("loop-%d", i+1), cp.ID)
		assert.Equal(t, float64(i+1), cp.Metadata["n"])
		if len(runs) == 0 || runs[len(runs)-1] != cp.RunID {
			runs = append(runs, cp.RunID)
		}
	}
	require.Greater(t, len(runs), 1, "the run continued as new")
	latest, err := srv.Client().DescribeWorkflowExecution(ctx, id, "")
	require.NoError(t, err)
	assert.Equal(t, latest.GetWorkflowExecutionInfo().GetExecution().GetRunId(), runs[len(runs)-1])

	// An earlier run's checkpoint, n = 2: iterations 3.. run again.
	h, err = manager.ResumeFromCheckpoint(ctx, id, cps[1].ID)
	require.NoError(t, err)
	res, err = h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, until, value[int](t, res))
	lines := strings.Fields(readFile(trace))
	assert.Len(t, lines, 2*until-2)
	assert.Equal(t, "loop:3", lines[until])

	// The latest run's last checkpoint: nothing left to run.
	before := len(strings.Fields(readFile(trace)))
	h, err = manager.ResumeFromLatest(ctx, id)
	require.NoError(t, err)
	res, err = h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, until, value[int](t, res))
	assert.Len(t, strings.Fields(readFile(trace)), before)
}
