package e2e_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// oldBuild is the earliest build whose runs in flight must finish on every
// later one (the interpreter before versions).
const oldBuild = "0ff43ce"

// buildOldWorker builds e2e/testworker of commit build (from this
// repository's history, `git archive`) into the suite's BinDir and returns
// the binary's name.
func buildOldWorker(t *testing.T, build string) string {
	t.Helper()
	src := t.TempDir()
	archive := exec.Command("sh", "-c", fmt.Sprintf("git archive --format=tar %s | tar -x -C %s", build, src))
	archive.Dir = repoRoot()
	out, err := archive.CombinedOutput()
	require.NoError(t, err, "the repository's history must hold %s: %s", build, out)
	name := "testworker-" + build
	cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), "./e2e/testworker")
	cmd.Dir = src
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "building the worker of %s: %s", build, out)
	return name
}

// Runs in flight under the build of 0ff43ce finish with the right results
// after its workers are replaced by this build's: feedback waits in the
// root and in a dynamic child, a dynamic fan-out mid-way, a local loop
// that continued as new and then waits for an answer, and a run that
// failed after a checkpoint, resumed. Every answer reaches a run whose
// history the old build wrote. With -record-histories, the histories go to
// the replay corpus (temporal/testdata/histories/upgrade-0ff43ce/).
func TestUpgradeFromOldBuild(t *testing.T) {
	old := buildOldWorker(t, oldBuild)
	const queue = "upgrade"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: queue})
	start := func(name string, opts []graflow.WorkflowOption, node graflow.Node, exec ...graflow.ExecuteOption) *graflow.Handle {
		wf := graflow.NewWorkflow(name, opts...)
		wf.Add(node)
		h, err := wf.Start(ctx, runner, append([]graflow.ExecuteOption{graflow.WorkflowID(name)}, exec...)...)
		require.NoError(t, err)
		return h
	}

	oldWorker, err := spawnWorker(old, queue, "upgrade-old")
	require.NoError(t, err)

	rootAsk := start("upgrade_root_feedback", nil, graflow.Chain(
		c.Ask.Instance("gate", graflow.Params{"id": "ship", "kind": "approval", "message": "ship it?"}), step("after")))
	childAsk := start("upgrade_child_feedback", nil,
		c.SpawnAsk.Instance("spawn", graflow.Params{"id": "child_q", "kind": "text", "message": "From the child?"}))
	localLoop := start("upgrade_local_loop", []graflow.WorkflowOption{graflow.WithDefaultTaskOptions(graflow.WithLocal())}, graflow.Chain(
		c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": 4500}),
		c.Ask.Instance("gate", graflow.Params{"id": "more", "kind": "approval", "message": "go on?"})))
	waitPending(t, rootAsk.WorkflowID, "ship")
	childID := childAsk.WorkflowID + "/hi_fan/hi_ask"
	waitPending(t, childID, "child_q")
	waitPending(t, localLoop.WorkflowID, "more")

	trace := env.FailAfterCheckpointOn(t, ctx, "upgrade_checkpoint", old, runner)

	const width = 1000
	fanOut := start("upgrade_fan_out", nil, graflow.Chain(c.ScaleFanOut.Instance("fan", graflow.Params{"width": width}), c.ScaleCount.Instance("total", nil)),
		graflow.InitialChannel(map[string]any{"base": 7}))
	require.Eventually(t, func() bool {
		d, err := srv.Client().DescribeWorkflowExecution(ctx, fanOut.WorkflowID+"/leaves/batch-1", "")
		return err == nil && d.WorkflowExecutionInfo.HistoryLength > 50
	}, time.Minute, 20*time.Millisecond, "the fan-out is under way on the old build")

	// The deploy: the old build's workers stop (graceful), this build's start.
	oldWorker.Kill(syscall.SIGTERM)
	newWorker, err := spawnWorker("testworker", queue, "upgrade-new")
	require.NoError(t, err)
	defer newWorker.Kill(syscall.SIGTERM)
	newRecovery, err := spawnWorker("testworker", c.RecoveryQueue, "upgrade-new-fixed")
	require.NoError(t, err)
	defer newRecovery.Kill(syscall.SIGTERM)

	fb := signals.NewClient(srv.Client())
	yes := true
	_, err = fb.Answer(ctx, rootAsk.WorkflowID, signals.Answer{RequestID: "ship", Approved: &yes})
	require.NoError(t, err)
	text := "after the deploy"
	_, err = fb.Answer(ctx, childID, signals.Answer{RequestID: "child_q", Value: &text})
	require.NoError(t, err)
	_, err = fb.Answer(ctx, localLoop.WorkflowID, signals.Answer{RequestID: "more", Approved: &yes})
	require.NoError(t, err)
	resumed, err := temporal.NewCheckpointManager(srv.Client(), temporal.RunnerOptions{TaskQueue: queue}).ResumeFromLatest(ctx, "upgrade_checkpoint")
	require.NoError(t, err)

	res, err := rootAsk.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, "approved", channelValue[string](t, res, graflow.ResultKey("gate")))
	assert.Equal(t, []string{"after"}, channelLog(t, res))

	res, err = childAsk.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, text, channelValue[string](t, res, graflow.ResultKey("hi_ask")))
	assert.ElementsMatch(t, []string{"hi_other"}, channelLog(t, res))

	res, err = localLoop.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, "approved", value[string](t, res))
	assert.Equal(t, float64(4500*4501/2), channelValue[float64](t, res, "sum"))

	harness.RequireResumed(t, ctx, resumed, trace)

	res, err = fanOut.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, width, value[int](t, res))
	assert.Equal(t, float64(width*7+width*(width-1)/2), channelValue[float64](t, res, "sum"))
	items := channelValue[[]int](t, res, "items")
	assert.Len(t, items, width, "every branch's append merged once")

	for _, id := range []string{rootAsk.WorkflowID, childAsk.WorkflowID, localLoop.WorkflowID, "upgrade_checkpoint", fanOut.WorkflowID} {
		hists := runHistories(t, id)
		replayAll(t, hists)
		if *recordHistories {
			record(t, filepath.Join(repoRoot(), "temporal", "testdata", "histories", "upgrade-"+oldBuild), hists)
		}
	}
}

// A task that no worker on its queue has (a deploy dropped it, or the
// worker that has it is not rolled out yet) does not fail the run: the run
// waits and says so in its current details, and goes on once a worker
// that has the task polls.
func TestMissingTaskWaitsForAWorker(t *testing.T) {
	t.Parallel()
	runMissingTask(t, "e2e-missing-task", "e2e-late-tasks")
}

// runMissingTask runs step a >> step b as workflowID with its tasks on
// queue, first polled by cmd/worker only (which lacks them), then by the
// conformance worker, and checks that the run waited and then completed.
func runMissingTask(t *testing.T, workflowID, queue string) {
	lacking, err := spawnWorker("worker", queue, queue+"-lacking") // cmd/worker: the examples' tasks only
	require.NoError(t, err)
	wf := graflow.NewWorkflow("missing_task", graflow.WithDefaultTaskOptions(graflow.WithTaskQueue(queue)))
	wf.Add(graflow.Chain(step("a"), step("b")))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(workflowID))
	require.NoError(t, err)

	waitDetails(t, h.WorkflowID, fmt.Sprintf(`task a waits for a worker: graflow: task not registered: "c_step" is not registered on task queue %q`, queue))
	time.Sleep(3 * time.Second) // a few offers go by: the run neither fails nor ends
	d, err := srv.Client().DescribeWorkflowExecution(context.Background(), h.WorkflowID, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.WorkflowExecutionInfo.Status)

	having, err := spawnWorker("testworker", queue, queue+"-having")
	require.NoError(t, err)
	defer having.Kill(syscall.SIGTERM)
	lacking.Kill(syscall.SIGTERM)
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, channelLog(t, res), "each task ran once, on the worker that has it")
}

// waitDetails waits until the run's current details (what the Web UI and
// starter describe show live) contain want.
func waitDetails(t *testing.T, workflowID, want string) {
	t.Helper()
	var details string
	ok := assert.Eventually(t, func() bool {
		v, err := srv.Client().QueryWorkflow(context.Background(), workflowID, "", "__temporal_workflow_metadata")
		if err != nil {
			return false
		}
		var meta sdkpb.WorkflowMetadata
		if v.Get(&meta) != nil {
			return false
		}
		details = meta.GetCurrentDetails()
		return strings.Contains(details, want)
	}, time.Minute, 100*time.Millisecond)
	require.True(t, ok, "current details of %s: %q, want them to contain %q", workflowID, details, want)
}
