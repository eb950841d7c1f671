package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// stallLimit is a wait that can only be the 20 s stall of a result poll
// that missed the run's close notice (a one-task run here takes 20-60 ms;
// a missed notice now costs at most 250 ms). The bench (go run ./bench
// -stalls 1000) counts the waits over 2 s on a quiet machine; this test
// shares the machine with other suites, so it fails only on a stall.
const stallLimit = 5 * time.Second

// waits records how long each of a series of runs took from start to
// result and reports them.
type waits []time.Duration

func (w waits) check(t *testing.T, what string) {
	t.Helper()
	over2s := 0
	for _, d := range w {
		if d > 2*time.Second {
			over2s++
		}
	}
	s := slices.Sorted(slices.Values(w))
	t.Logf("%d %s: median %v, slowest %v, %d over 2 s", len(w), what, s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond), over2s)
	assert.Less(t, s[len(s)-1], stallLimit, "a wait for a result stalled")
}

// One-task runs through wf.Execute, one after another, return as soon as
// the run closes: with a workflow type per run (as Graflow users write
// workflow("name") per job) and with one type, on the worker process
// (plain start) and on a worker in this process (eager start); and with
// `starter run` as a process. Every run's result is checked.
func TestExecuteNeverStalls(t *testing.T) {
	ctx := context.Background()
	const queue = "e2e-stalls-local"
	w, err := temporal.NewWorker(srv.Client(), queue, temporal.WorkerOptions{Identity: "e2e-stalls"})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer w.Stop()
	inProcess := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: queue})

	for _, tc := range []struct {
		name   string
		runner *temporal.Runner
		n      int
		wfName func(i int) string
	}{
		{"type per run, worker process", conformRunner, 1000, func(i int) string { return fmt.Sprintf("stall_%d", i) }},
		{"one type, worker process", conformRunner, 1000, func(int) string { return "stall" }},
		{"type per run, eager start", inProcess, 300, func(i int) string { return fmt.Sprintf("stall_eager_%d", i) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ws waits
			for i := range tc.n {
				wf := graflow.NewWorkflow(tc.wfName(i))
				wf.Add(c.Step.Instance("one", nil))
				start := time.Now()
				res, err := wf.Execute(ctx, tc.runner)
				ws = append(ws, time.Since(start))
				require.NoError(t, err, "run %d", i)
				require.Equal(t, "one", value[string](t, res), "run %d", i)
				require.Equal(t, []string{"one"}, channelLog(t, res), "run %d", i)
			}
			ws.check(t, "one-task runs")
		})
	}

	t.Run("starter run", func(t *testing.T) {
		starterPath(t)
		var ws waits
		for i := range 100 {
			start := time.Now()
			stdout, stderr, code := runBinary(t, time.Minute, nil, "starter", "run", "priority",
				"--address", srv.FrontendAddress(), "--namespace", srv.Namespace(), "--task-queue", examplesQueue)
			ws = append(ws, time.Since(start))
			require.Equal(t, 0, code, "run %d: %s", i, stderr)
			require.Equal(t, "calc = 10 (bound) x 5 (channel) = 50", strings.TrimSpace(stdout), "run %d", i)
		}
		ws.check(t, "starter run processes")
	})
}

// A wait cut short by ctx's deadline says so: errors.Is(err,
// context.DeadlineExceeded) holds for a result, an answer and a query of
// a run that no worker serves.
func TestWaitsEndWithTheDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: "e2e-nobody-polls"})
	wf := flow(t, c.Step.Instance("one", nil))
	h, err := wf.Start(ctx, runner, graflow.WorkflowID("e2e-waits-deadline"))
	require.NoError(t, err)
	sc := signals.NewClient(srv.Client())

	for _, tc := range []struct {
		name string
		wait func(ctx context.Context) error
	}{
		{"Execute", func(ctx context.Context) error {
			_, err := wf.Execute(ctx, runner, graflow.WorkflowID("e2e-waits-deadline-execute"))
			return err
		}},
		{"Handle.Result", func(ctx context.Context) error { _, err := h.Result(ctx); return err }},
		{"Runner.Result", func(ctx context.Context) error { _, err := runner.Result(ctx, h.WorkflowID, ""); return err }},
		{"signals Answer", func(ctx context.Context) error {
			_, err := sc.Answer(ctx, h.WorkflowID, signals.Answer{RequestID: "r1"})
			return err
		}},
		{"signals Pending", func(ctx context.Context) error { _, err := sc.Pending(ctx, h.WorkflowID); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			err := tc.wait(ctx)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "%v", err)
		})
	}
}
