package e2e_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/e2e/harness"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/runview"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// A rolling deploy with Worker Versioning, two builds as worker processes:
// runs pinned to build 1 finish on build 1 while new runs go to build 2;
// once build 1 has nothing left it is stopped; a long loop on build 1 with
// --upgrade-on-continue-as-new moves to build 2 at its continue-as-new.
func TestWorkerVersioningRollingDeploy(t *testing.T) {
	t.Parallel()
	const (
		queue      = "e2e-versioned"
		deployment = "graflow-e2e"
	)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cl := srv.Client()
	runner := temporal.NewRunner(cl, temporal.RunnerOptions{TaskQueue: queue})
	build := func(id string) *harness.Worker {
		w, err := spawnWorker("testworker", queue, "versioned-"+id, "--deployment-name", deployment, "--build-id", id, "--upgrade-on-continue-as-new")
		require.NoError(t, err)
		return w
	}
	setCurrent := func(id string) {
		h := cl.WorkerDeploymentClient().GetHandle(deployment)
		require.Eventually(t, func() bool { // the version exists once its worker has polled
			_, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: id})
			return err == nil
		}, time.Minute, 200*time.Millisecond, "set build %s current", id)
	}
	buildOf := func(workflowID string) string {
		d, err := cl.DescribeWorkflowExecution(ctx, workflowID, "")
		require.NoError(t, err)
		return runview.Build(d.WorkflowExecutionInfo)
	}
	pidOf := func(res *graflow.Result) int { return channelValue[int](t, res, graflow.ResultKey("pid")) }
	start := func(id string, nodes ...graflow.Node) *graflow.Handle {
		wf := graflow.NewWorkflow("versioned", graflow.WithDefaultTaskOptions(graflow.WithLocal()))
		wf.Add(graflow.Chain(nodes[0], nodes[1:]...))
		h, err := wf.Start(ctx, runner, graflow.WorkflowID(id))
		require.NoError(t, err)
		return h
	}
	ask := func(id string) graflow.Node {
		return c.Ask.Instance("gate", graflow.Params{"id": id, "kind": "approval", "message": "go on?"})
	}

	b1 := build("1")
	setCurrent("1")
	pinned := start("versioned-pinned", ask("a"), c.WorkerPid.Instance("pid", nil))
	loop := start("versioned-loop", ask("b"), c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": 4500}), c.WorkerPid.Instance("pid", nil))
	waitPending(t, pinned.WorkflowID, "a")
	waitPending(t, loop.WorkflowID, "b")
	assert.Equal(t, deployment+":1 (pinned)", buildOf(pinned.WorkflowID))

	b2 := build("2")
	defer b2.Kill(syscall.SIGTERM)
	setCurrent("2")
	fresh := start("versioned-fresh", c.WorkerPid.Instance("pid", nil))
	res, err := fresh.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, b2.Pid(), pidOf(res), "a new run goes to the current build")
	assert.Equal(t, deployment+":2 (pinned)", buildOf(fresh.WorkflowID))
	require.Eventually(t, func() bool { // what starter runs shows: the listing's build
		list, err := cl.ListWorkflow(ctx, env.ListRequest(fresh.WorkflowID, nil))
		return err == nil && len(list.Executions) == 1 && runview.Build(list.Executions[0]) == deployment+":2"
	}, 30*time.Second, 100*time.Millisecond)

	yes := true
	fb := signals.NewClient(cl)
	for id, request := range map[string]string{pinned.WorkflowID: "a", loop.WorkflowID: "b"} {
		_, err := fb.Answer(ctx, id, signals.Answer{RequestID: request, Approved: &yes})
		require.NoError(t, err)
	}
	res, err = pinned.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, b1.Pid(), pidOf(res), "a pinned run finishes on the build that started it")
	res, err = loop.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, float64(4500*4501/2), channelValue[float64](t, res, "sum"))
	assert.Equal(t, b2.Pid(), pidOf(res), "the loop moved to the current build at continue-as-new")
	assert.Equal(t, deployment+":2 (pinned)", buildOf(loop.WorkflowID), "and is pinned there")

	// Build 1 is drained: no run of it is open any more; it stops.
	list, err := cl.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: srv.Namespace(),
		Query:     `TemporalWorkerDeploymentVersion = "` + deployment + `:1" AND ExecutionStatus = "Running"`,
	})
	require.NoError(t, err)
	assert.Empty(t, list.Executions, "nothing is left on build 1")
	b1.Kill(syscall.SIGTERM)
}
