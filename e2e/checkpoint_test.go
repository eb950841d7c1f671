package e2e_test

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// failAfterCheckpoint runs step_1 >> step_2 (checkpoint) >> step_3 >> step_4
// as workflowID with only a buggy worker on the recovery queue: the run
// fails in step_3. It returns the trace file of the task executions.
func failAfterCheckpoint(t *testing.T, ctx context.Context, workflowID string) string {
	t.Helper()
	trace := filepath.Join(t.TempDir(), "trace.log")
	p := graflow.Params{"path": trace}
	buggy, err := spawnWorkerEnv("testworker", c.RecoveryQueue, workflowID+"-buggy", []string{c.BugEnv + "=1"})
	require.NoError(t, err)
	defer buggy.kill(syscall.SIGTERM)
	wf := graflow.NewWorkflow("fault_tolerant")
	wf.Add(graflow.Chain(c.Trace.Instance("step_1", p), c.Checkpointer.Instance("step_2", p), c.Buggy.Instance("step_3", p), c.Trace.Instance("step_4", p)))
	_, err = wf.Execute(ctx, conformRunner, graflow.WorkflowID(workflowID))
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "step_3", te.TaskID)
	assert.Contains(t, te.Error(), "bug: division by zero")
	return trace
}

// The fault-recovery pattern (README, "Checkpoints"): a run fails in a task
// after a checkpoint; the bug is fixed (a worker with the fixed task);
// resuming from the latest checkpoint completes the run, and the tasks
// before the checkpoint ran exactly once — through CheckpointManager, then
// through `starter checkpoints` and `starter resume`.
func TestResumeFromLatestCheckpoint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	manager := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	complete := func(h *graflow.Handle, trace string) {
		t.Helper()
		res, err := h.Result(ctx)
		require.NoError(t, err)
		var last string
		require.NoError(t, res.Value(&last))
		assert.Equal(t, "step_4", last)
		assert.Equal(t, []string{"step_1", "step_2", "step_3", "step_4"}, strings.Fields(readFile(trace)))
	}

	t.Run("CheckpointManager", func(t *testing.T) {
		trace := failAfterCheckpoint(t, ctx, "fault-tolerant-1")
		cps, err := manager.List(ctx, "fault-tolerant-1")
		require.NoError(t, err)
		require.Len(t, cps, 1)
		assert.Equal(t, "step_2", cps[0].TaskID)
		assert.Equal(t, map[string]any{"stage": "after_load"}, cps[0].Metadata, "the task's last request wins")

		_, err = manager.ResumeFromCheckpoint(ctx, "fault-tolerant-1", "nope")
		require.ErrorIs(t, err, temporal.ErrNoCheckpoint)
		assert.Contains(t, err.Error(), cps[0].ID)

		fixed, err := spawnWorker("testworker", c.RecoveryQueue, "recovery-fixed-1")
		require.NoError(t, err)
		defer fixed.kill(syscall.SIGTERM)
		h, err := manager.ResumeFromLatest(ctx, "fault-tolerant-1")
		require.NoError(t, err)
		complete(h, trace)
	})

	t.Run("starter", func(t *testing.T) {
		trace := failAfterCheckpoint(t, ctx, "fault-tolerant-2")
		cmd, stdout, stderr := starterCmd(t, ctx, "checkpoints", "fault-tolerant-2")
		require.NoError(t, cmd.Run(), stderr.String())
		assert.Regexp(t, `^step_2-1\tstep_2\t[0-9a-f-]+\t\d+\t\{"stage":"after_load"\}\n$`, stdout.String())

		fixed, err := spawnWorker("testworker", c.RecoveryQueue, "recovery-fixed-2")
		require.NoError(t, err)
		defer fixed.kill(syscall.SIGTERM)
		cmd, stdout, stderr = starterCmd(t, ctx, "resume", "fault-tolerant-2", "--checkpoint", "step_2-1")
		require.NoError(t, cmd.Run(), stderr.String())
		id, runID, ok := strings.Cut(strings.TrimSpace(stdout.String()), "\t")
		require.True(t, ok, stdout.String())
		assert.Equal(t, "fault-tolerant-2", id)
		complete(graflow.NewHandle(temporal.NewRunner(srv.Client(), temporal.RunnerOptions{}), id, runID), trace)
	})
}
