package e2e_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/temporal"
)

// The fault-recovery pattern (README, "Checkpoints"): a run fails in a task
// after a checkpoint; the bug is fixed (a worker with the fixed task);
// resuming from the latest checkpoint completes the run, and the tasks
// before the checkpoint ran exactly once — through CheckpointManager, then
// through `starter checkpoints` and `starter resume`.
func TestResumeFromLatestCheckpoint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Run("CheckpointManager", func(t *testing.T) {
		env.ResumeWithManager(t, ctx, "fault-tolerant-1")
	})

	t.Run("starter", func(t *testing.T) {
		trace := env.FailAfterCheckpoint(t, ctx, "fault-tolerant-2")
		cmd, stdout, stderr := starterCmd(t, ctx, "checkpoints", "fault-tolerant-2")
		require.NoError(t, cmd.Run(), stderr.String())
		assert.Regexp(t, `^step_2-1\tstep_2\t[0-9a-f-]+\t\d+\t\{"stage":"after_load"\}\n$`, stdout.String())

		fixed, err := spawnWorker("testworker", c.RecoveryQueue, "recovery-fixed-2")
		require.NoError(t, err)
		defer fixed.Kill(syscall.SIGTERM)
		cmd, stdout, stderr = starterCmd(t, ctx, "resume", "fault-tolerant-2", "--checkpoint", "step_2-1")
		require.NoError(t, cmd.Run(), stderr.String())
		id, runID, ok := strings.Cut(strings.TrimSpace(stdout.String()), "\t")
		require.True(t, ok, stdout.String())
		assert.Equal(t, "fault-tolerant-2", id)
		harness.RequireResumed(t, ctx, engine.NewHandle(temporal.NewRunner(srv.Client(), temporal.RunnerOptions{}), id, runID), trace)
	})
}
