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
	enumspb "go.temporal.io/api/enums/v1"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// localFlow is flow with every task local (WithDefaultTaskOptions).
func localFlow(t *testing.T, nodes ...graflow.Node) *graflow.Workflow {
	return flowWith(t, []graflow.WorkflowOption{graflow.WithDefaultTaskOptions(graflow.WithLocal())}, nodes...)
}

// eventCounts counts a run's history events by type.
func eventCounts(t *testing.T, workflowID string) map[enumspb.EventType]int {
	t.Helper()
	counts := map[enumspb.EventType]int{}
	for _, e := range fetchHistory(t, workflowID).Events {
		counts[e.GetEventType()]++
	}
	return counts
}

// On a real server local tasks are markers in the history, not activities;
// WithoutLocal opts one task out; the result is what regular tasks give.
func TestLocalOnServer(t *testing.T) {
	t.Parallel()
	wf := localFlow(t, graflow.Chain(step("a"), step("b"), c.RemoteStep.Instance("remote", nil), step("c")))
	res, err := run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "remote", "c"}, channelLog(t, res))
	counts := eventCounts(t, res.WorkflowID)
	markers := map[string]int{}
	for _, ev := range fetchHistory(t, res.WorkflowID).Events {
		if m := ev.GetMarkerRecordedEventAttributes(); m != nil {
			markers[m.MarkerName]++
		}
	}
	assert.Equal(t, map[string]int{"LocalActivity": 3, "Version": 1}, markers, "a, b, c ran as local activities; the run recorded its interpreter version")
	assert.Equal(t, 1, counts[enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED], "remote opted out")
	replays(t, res.WorkflowID)
}

// A local task asks a person; the answer, through the Update, resumes it.
func TestLocalFeedback(t *testing.T) {
	t.Parallel()
	wf := localFlow(t, c.Ask.Instance("ask", graflow.Params{"id": "ok_local", "kind": "approval", "message": "go?"}))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID("e2e-local-feedback"))
	require.NoError(t, err)
	waitPending(t, h.WorkflowID, "ok_local")
	_, err = signals.NewClient(srv.Client()).Answer(context.Background(), h.WorkflowID, signals.Approve("ok_local"))
	require.NoError(t, err)
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "approved", value[string](t, res))
	replays(t, h.WorkflowID)
}

// A 5,000-iteration loop of a local task continues as new (many local tasks
// finish inside one workflow task) and keeps its channel.
func TestLocalLongLoopContinuesAsNew(t *testing.T) {
	t.Parallel()
	const until = 5000
	res, err := run(t, localFlow(t, c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": until})))
	require.NoError(t, err)
	var sum float64
	require.NoError(t, res.Channel.Get("sum", &sum))
	assert.Equal(t, float64(until*(until+1)/2), sum)
	runs, largest := 0, 0
	page, err := srv.Client().ListWorkflow(context.Background(), env.ListRequest(res.WorkflowID, nil))
	require.NoError(t, err)
	for _, e := range page.Executions {
		runs++
		largest = max(largest, int(e.HistoryLength))
	}
	t.Logf("%d local iterations: %d runs, largest history %d events", until, runs, largest)
	assert.GreaterOrEqual(t, runs, 2)
	assert.LessOrEqual(t, largest, 6000)
}

// The worker running a local task is killed with SIGKILL: the next worker
// runs the task again, once, and the run completes with one write.
func TestLocalWorkerKilledMidTask(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "attempts.log")
	first, err := spawnWorker("testworker", c.LocalCrashQueue, "crash-local-1")
	require.NoError(t, err)
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: c.LocalCrashQueue})
	wf := flow(t, graflow.Chain(c.SlowWriterLocal.Instance("slow", graflow.Params{"path": trace, "seconds": 3}), step("after")))
	h, err := wf.Start(context.Background(), runner, graflow.WorkflowID("kill-9-local"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(readFile(trace), "start") }, 30*time.Second, 50*time.Millisecond)
	first.Kill(syscall.SIGKILL)
	second, err := spawnWorker("testworker", c.LocalCrashQueue, "crash-local-2")
	require.NoError(t, err)
	t.Cleanup(func() { second.Kill(syscall.SIGTERM) })
	res, err := resultOf(t, h)
	require.NoError(t, err)
	t.Logf("attempts:\n%s", readFile(trace))
	assert.Equal(t, 2, strings.Count(readFile(trace), "start"), "once on each worker")
	assert.Equal(t, 1, strings.Count(readFile(trace), "done"))
	var writes []string
	require.NoError(t, res.Channel.Get("writes", &writes))
	assert.Equal(t, []string{"slow"}, writes)
}
