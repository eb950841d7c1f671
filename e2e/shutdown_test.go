package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/graflow"
)

// activityAttempts returns, for each activity of type activityType in the
// run's history, the attempt of its ActivityTaskStarted event (Temporal
// records that event once per activity, for the attempt that ended it).
func activityAttempts(t *testing.T, workflowID, activityType string) []int32 {
	t.Helper()
	scheduled := map[int64]bool{}
	var attempts []int32
	it := srv.Client().GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.ActivityType.GetName() == activityType {
			scheduled[ev.EventId] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled[a.ScheduledEventId] {
			attempts = append(attempts, a.Attempt)
			if f := a.GetLastFailure(); f != nil {
				t.Logf("%s attempt %d, after: %s", activityType, a.Attempt, f.GetMessage())
			}
		}
	}
	return attempts
}

// waitExit waits up to limit for the worker process to exit and returns its
// exit code (-1 when it was still running and had to be killed).
func waitExit(t *testing.T, w *harness.Worker, limit time.Duration) int {
	t.Helper()
	code, exited := w.Wait(limit)
	if !exited {
		t.Errorf("worker did not exit within %s", limit)
	}
	return code
}

func workerLog(w *harness.Worker) string {
	b, _ := os.ReadFile(w.Log)
	return string(b)
}

// SIGTERM in the middle of a 3-second task: the worker stops polling, lets
// the task finish, exits 0; the run completes with the task's one attempt
// (the run's own workflow tasks are on the shared conformance worker).
func TestWorkerDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "attempts.log")
	w, err := spawnWorker("testworker", c.DrainQueue, "drain-1", "--shutdown-grace", "30s")
	require.NoError(t, err)
	t.Cleanup(func() { w.Kill(syscall.SIGKILL) })

	wf := flow(t, graflow.Chain(c.SlowDrain.Instance("slow", graflow.Params{"path": trace, "seconds": 3}), step("after")))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID("drain-sigterm"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(readFile(trace), "start 1") }, 30*time.Second, 20*time.Millisecond)

	require.NoError(t, w.Signal(syscall.SIGTERM))
	sent := time.Now()
	code := waitExit(t, w, 20*time.Second)
	t.Logf("exit %d after %s; log:\n%s", code, time.Since(sent), workerLog(w))
	assert.Equal(t, 0, code)
	assert.Equal(t, "start 1\ndone 1\n", readFile(trace), "the task finished before the worker exited")
	assert.Contains(t, workerLog(w), "draining")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"after"}, channelLog(t, res))
	assert.Equal(t, []int32{1}, activityAttempts(t, "drain-sigterm", "c_slow_drain"), "nothing was retried")
	assert.Equal(t, "start 1\ndone 1\n", readFile(trace))
}

// A grace shorter than the task: the worker exits 0 once the grace is over,
// its task's context canceled; Temporal runs the task again on the next
// worker (attempt 2), and the run completes.
func TestWorkerGraceShorterThanTask(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "attempts.log")
	first, err := spawnWorker("testworker", c.DrainShortQueue, "drain-short-1", "--shutdown-grace", "1s")
	require.NoError(t, err)
	t.Cleanup(func() { first.Kill(syscall.SIGKILL) })

	wf := flow(t, graflow.Chain(c.SlowDrainShort.Instance("slow", graflow.Params{"path": trace, "seconds": 6}), step("after")))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID("drain-short"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(readFile(trace), "start 1") }, 30*time.Second, 20*time.Millisecond)

	require.NoError(t, first.Signal(syscall.SIGTERM))
	sent := time.Now()
	code := waitExit(t, first, 15*time.Second)
	took := time.Since(sent)
	t.Logf("exit %d after %s; log:\n%s", code, took, workerLog(first))
	assert.Equal(t, 0, code)
	assert.Less(t, took, 4*time.Second, "grace 1s plus a small margin")
	assert.Equal(t, "start 1\n", readFile(trace), "the task did not finish on the stopped worker")

	second, err := spawnWorker("testworker", c.DrainShortQueue, "drain-short-2")
	require.NoError(t, err)
	t.Cleanup(func() { second.Kill(syscall.SIGTERM) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"after"}, channelLog(t, res))
	assert.Equal(t, "start 1\nstart 2\ndone 2\n", readFile(trace))
	assert.Equal(t, []int32{2}, activityAttempts(t, "drain-short", "c_slow_drain_short"))
	var writes []string
	require.NoError(t, res.Channel.Get("writes", &writes))
	assert.Equal(t, []string{"slow"}, writes)
}
