package e2e_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
)

// Scenarios 110-112 with Temporal underneath: a task's own errors are
// retried as WithMaxRetries says, and the attempt is part of the error.
func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxRetries int
		succeedOn  int
		final      bool
		want       int // the value, or the failing attempt when wantErr
		wantErr    bool
	}{
		{"fails twice, succeeds on the third attempt", 2, 3, false, 3, false},
		{"no retries: the first error fails the run", 0, 2, false, 1, true},
		{"retries exhausted", 2, 9, false, 3, true},
		{"NonRetryable stops retries at once", 5, 9, true, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wf := graflow.NewWorkflow(unsafeID.ReplaceAllString(t.Name(), "_"), graflow.WithDefaultTaskOptions(graflow.WithMaxRetries(tc.maxRetries)))
			wf.Add(graflow.Chain(c.Flaky.Instance("flaky", graflow.Params{"succeed_on": tc.succeedOn, "final": tc.final}), step("after")))
			res, err := run(t, wf)
			if !tc.wantErr {
				require.NoError(t, err)
				var got int
				require.NoError(t, res.Channel.Get(graflow.ResultKey("flaky"), &got))
				assert.Equal(t, tc.want, got)
				return
			}
			var te *graflow.TaskError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "flaky", te.TaskID)
			assert.Equal(t, tc.want, te.Attempt)
			assert.Equal(t, tc.final, errors.Is(err, graflow.ErrNonRetryable))
		})
	}
}

// A worker killed with SIGKILL in the middle of a 5-second task: another
// worker takes the task over (harness.Env.WorkerKilledMidTask).
func TestWorkerKilledMidTask(t *testing.T) {
	t.Parallel()
	env.WorkerKilledMidTask(t)
}

// Distributed execution: the branches of one group spread over several
// worker processes polling the task queue.
func TestBranchesSpreadOverWorkers(t *testing.T) {
	t.Parallel()
	for i := range 3 {
		w, err := spawnWorker("testworker", c.SpreadQueue, fmt.Sprintf("spread-%d", i), "--max-concurrent-tasks", "2")
		require.NoError(t, err)
		t.Cleanup(func() { w.Kill(syscall.SIGTERM) })
	}
	nodes := make([]graflow.Node, 6)
	for i := range nodes {
		nodes[i] = c.Pid.Instance(fmt.Sprintf("p%d", i), nil)
	}
	res, err := run(t, flow(t, graflow.Parallel(nodes[0], nodes[1], nodes[2:]...)))
	require.NoError(t, err)
	pids := map[int]bool{}
	for i := range nodes {
		var pid int
		require.NoError(t, res.Channel.Get(graflow.ResultKey(fmt.Sprintf("p%d", i)), &pid))
		pids[pid] = true
	}
	assert.GreaterOrEqual(t, len(pids), 2, "6 branches of 300 ms on 3 workers of 2 slots each ran on %d process(es)", len(pids))
}
