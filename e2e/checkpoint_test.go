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

// The seed's fault-recovery pattern (DESIGN §6): a run fails in a task
// after a checkpoint; the bug is fixed (a worker with the fixed task);
// ResumeFromLatest completes the run, and the tasks before the checkpoint
// ran exactly once.
func TestResumeFromLatestCheckpoint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	trace := filepath.Join(t.TempDir(), "trace.log")
	p := graflow.Params{"path": trace}

	buggy, err := spawnWorkerEnv("testworker", c.RecoveryQueue, "recovery-buggy", []string{c.BugEnv + "=1"})
	require.NoError(t, err)
	wf := graflow.NewWorkflow("fault_tolerant")
	wf.Add(graflow.Chain(c.Trace.Instance("step_1", p), c.Checkpointer.Instance("step_2", p), c.Buggy.Instance("step_3", p), c.Trace.Instance("step_4", p)))
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	_, err = wf.Execute(ctx, runner, graflow.WorkflowID("fault-tolerant-1"))
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "step_3", te.TaskID)
	buggy.kill(syscall.SIGTERM)

	manager := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: c.TaskQueue})
	cps, err := manager.List(ctx, "fault-tolerant-1")
	require.NoError(t, err)
	require.Len(t, cps, 1)
	assert.Equal(t, "step_2", cps[0].TaskID)
	assert.Equal(t, map[string]any{"stage": "after_load"}, cps[0].Metadata)

	fixed, err := spawnWorker("testworker", c.RecoveryQueue, "recovery-fixed")
	require.NoError(t, err)
	t.Cleanup(func() { fixed.kill(syscall.SIGTERM) })
	h, err := manager.ResumeFromLatest(ctx, "fault-tolerant-1")
	require.NoError(t, err)
	res, err := h.Result(ctx)
	require.NoError(t, err)
	var last string
	require.NoError(t, res.Value(&last))
	assert.Equal(t, "step_4", last)
	assert.Equal(t, []string{"step_1", "step_2", "step_3", "step_4"}, strings.Fields(readFile(trace)))

	_, err = manager.ResumeFromCheckpoint(ctx, "fault-tolerant-1", "nope")
	require.ErrorIs(t, err, temporal.ErrNoCheckpoint)
	assert.Contains(t, err.Error(), cps[0].ID)
}
