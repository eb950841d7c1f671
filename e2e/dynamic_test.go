package e2e_test

// Dynamic groups on the real server:
// each branch of a group passed to NextTask runs as a child workflow
// <parent-id>/<group>/<member> (batches <parent-id>/<group>/batch-<n> when
// wide) on the separate test worker process; a terminate or cancel inside a
// branch child ends the whole run.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
)

// dySpawn is the spawner instance "spawn" queuing the group described by in.
func dySpawn(in c.DySpawnIn) *graflow.Instance {
	return c.DySpawn.Instance("spawn", graflow.Params{
		"width": in.Width, "victim": in.Victim, "action": in.Action, "nest": in.Nest, "group": in.Group, "policy": in.Policy,
	})
}

// describe returns the status of workflow id (latest run), or fails.
func describe(t *testing.T, id string) *workflowservice.DescribeWorkflowExecutionResponse {
	t.Helper()
	d, err := srv.Client().DescribeWorkflowExecution(context.Background(), id, "")
	require.NoError(t, err, "describe %s", id)
	return d
}

// eventuallyClosed waits until workflow id is no longer running and
// returns its status.
func eventuallyClosed(t *testing.T, id string) enumspb.WorkflowExecutionStatus {
	t.Helper()
	var st enumspb.WorkflowExecutionStatus
	require.Eventually(t, func() bool {
		st = describe(t, id).WorkflowExecutionInfo.Status
		return st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	}, 30*time.Second, 100*time.Millisecond, "%s still running", id)
	return st
}

// Scenario 58 in dynamic groups: TerminateWorkflow in a branch child (one per
// branch, in a batch, or a grandchild) completes the whole run with its
// result, where Python Graflow ends only the branch; the spawning task's
// successor never runs.
func TestDynamicTerminateInBranchChild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    c.DySpawnIn
		want  string
		child string // the child run the terminating task ran in, under the run's id
	}{
		{"per-branch child", c.DySpawnIn{Width: 3, Victim: 1, Action: "terminate", Group: "fan"}, "terminated by m1", "fan/m1"},
		{"batch child", c.DySpawnIn{Width: 60, Victim: 41, Action: "terminate", Group: "wide"}, "terminated by m41", "wide/batch-1"},
		{"grandchild", c.DySpawnIn{Width: 3, Victim: 2, Action: "terminate", Nest: true, Group: "fan"}, "terminated by m2_b", "fan/m2/inner/m2_b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, flow(t, graflow.Chain(dySpawn(tc.in), step("after"))))
			require.NoError(t, err)
			assert.Equal(t, tc.want, value[string](t, res))
			log := channelLog(t, res)
			assert.Contains(t, log, "spawn")
			assert.NotContains(t, log, "after")
			assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, describe(t, res.WorkflowID).WorkflowExecutionInfo.Status)
			assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, eventuallyClosed(t, res.WorkflowID+"/"+tc.child))
		})
	}
}

// Scenario 59 in dynamic groups: CancelWorkflow in a branch child fails the
// whole run with *WorkflowCanceledError naming the task — whatever the
// group's policy; nothing after the group runs.
func TestDynamicCancelInBranchChild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     c.DySpawnIn
		taskID string
	}{
		{"per-branch child strict", c.DySpawnIn{Width: 3, Victim: 1, Action: "cancel", Group: "fan"}, "m1"},
		{"per-branch child best effort", c.DySpawnIn{Width: 3, Victim: 0, Action: "cancel", Group: "fan", Policy: "best_effort"}, "m0"},
		{"batch child best effort", c.DySpawnIn{Width: 60, Victim: 17, Action: "cancel", Group: "wide", Policy: "best_effort"}, "m17"},
		{"grandchild best effort", c.DySpawnIn{Width: 2, Victim: 1, Action: "cancel", Nest: true, Policy: "best_effort"}, "m1_b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, flow(t, graflow.Chain(dySpawn(tc.in), step("after"))))
			assert.Nil(t, res)
			var ce *graflow.WorkflowCanceledError
			require.True(t, errors.As(err, &ce), "%T is not a *WorkflowCanceledError: %v", err, err)
			assert.Equal(t, tc.taskID, ce.TaskID)
			assert.Equal(t, "canceled by "+tc.taskID, ce.Reason)
			var pe *graflow.ParallelGroupError
			assert.False(t, errors.As(err, &pe), "a cancel is not a group failure: %v", err)
			id := unsafeID.ReplaceAllString(t.Name(), "_")
			assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, describe(t, id).WorkflowExecutionInfo.Status)
		})
	}
}

// A 60-wide dynamic group runs in batch children; every
// branch's writes (appends, atomic adds, results) reach the parent, and the
// spawning task's successor runs after all of them.
func TestDynamicWideFanOut(t *testing.T) {
	t.Parallel()
	const width = 60
	res, err := run(t, flow(t, graflow.Chain(dySpawn(c.DySpawnIn{Width: width, Victim: -1, Group: "wide"}), step("after"))))
	require.NoError(t, err)
	assert.Equal(t, "after", value[string](t, res))
	log := channelLog(t, res)
	require.Len(t, log, width+2)
	assert.Equal(t, "spawn", log[0])
	assert.Equal(t, "after", log[width+1])
	want := make([]int, width)
	sum := 0
	for i := range want {
		want[i] = i
		sum += i
		assert.Equal(t, i, channelValue[int](t, res, graflow.ResultKey(fmt.Sprintf("m%d", i))))
	}
	assert.ElementsMatch(t, want, channelValue[[]int](t, res, "items"))
	assert.Equal(t, float64(sum), channelValue[float64](t, res, "total"))

	batch := res.WorkflowID + "/wide/batch-1"
	assert.Equal(t, batch, channelValue[string](t, res, "wfid_m0"), "TaskContext.WorkflowID is the child's own id")
	d := describe(t, batch)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, d.WorkflowExecutionInfo.Status)
	assert.Equal(t, res.WorkflowID, d.WorkflowExecutionInfo.GetParentExecution().GetWorkflowId())
	_, err = srv.Client().DescribeWorkflowExecution(context.Background(), res.WorkflowID+"/wide/m0", "")
	var nf *serviceerror.NotFound
	assert.True(t, errors.As(err, &nf), "no per-branch child for a wide group: %v", err)
	t.Logf("history events: parent %d, %s %d", historyLength(t, srv.Client(), res.WorkflowID), batch, historyLength(t, srv.Client(), batch))
}

// A narrow dynamic group runs one child per
// branch, id <parent-id>/<group>/<member>, with a summary naming the branch;
// tasks inside see the child's id as their WorkflowID.
func TestDynamicChildWorkflowIDs(t *testing.T) {
	t.Parallel()
	for _, group := range []string{"fan", ""} {
		name := group
		if name == "" {
			name = "auto-named"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, flow(t, graflow.Chain(dySpawn(c.DySpawnIn{Width: 3, Victim: -1, Group: group}), step("after"))))
			require.NoError(t, err)
			if group == "" {
				group = "ParallelGroup_1"
			}
			parent := describe(t, res.WorkflowID)
			var ids []string
			for i := range 3 {
				member := fmt.Sprintf("m%d", i)
				id := strings.Join([]string{res.WorkflowID, group, member}, "/")
				ids = append(ids, id)
				d := describe(t, id)
				info := d.WorkflowExecutionInfo
				assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, info.Status, id)
				assert.Equal(t, res.WorkflowID, info.GetParentExecution().GetWorkflowId(), id)
				assert.Equal(t, parent.WorkflowExecutionInfo.Type.Name, info.Type.Name, id)
				assert.Equal(t, id, channelValue[string](t, res, "wfid_"+member))
				var summary string
				if p := d.GetExecutionConfig().GetUserMetadata().GetSummary(); assert.NotNil(t, p, "%s has no summary", id) {
					require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &summary))
					assert.Contains(t, summary, member)
					assert.Contains(t, summary, group)
				}
			}
			// The children are listed by visibility too.
			query := fmt.Sprintf("ParentWorkflowId = %q AND ParentRunId = %q", res.WorkflowID, res.RunID)
			var listed []string
			require.Eventually(t, func() bool {
				resp, err := srv.Client().ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
				if !assert.NoError(t, err) {
					return true
				}
				listed = listed[:0]
				for _, e := range resp.Executions {
					listed = append(listed, e.Execution.WorkflowId)
				}
				return len(listed) >= len(ids)
			}, 30*time.Second, 200*time.Millisecond, "children of %s not listed: %v", res.WorkflowID, listed)
			assert.ElementsMatch(t, ids, listed)
		})
	}
}

// Channel reads inside children: a branch task reading a key it did not
// declare fetches it from its own child run, whose channel starts from the
// parent's snapshot (including the spawning task's writes) — in per-branch
// and in batch children.
func TestDynamicChildReadsOnDemand(t *testing.T) {
	t.Parallel()
	for _, width := range []int{2, 60} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			t.Parallel()
			spawn := c.DySpawnReaders.Instance("spawn", graflow.Params{"width": width})
			res, err := run(t, flow(t, spawn), graflow.InitialChannel(map[string]any{"seed": "from the start"}))
			require.NoError(t, err)
			for i := range width {
				want := `"\"from the start\""`
				if i%2 == 1 {
					want = `"\"from spawner\""`
				}
				raw, ok := res.Channel.Raw(graflow.ResultKey(fmt.Sprintf("r%d", i)))
				require.True(t, ok, "r%d", i)
				assert.JSONEq(t, want, string(raw), "r%d", i)
			}
		})
	}
}

// Two static branches of one run spawning the same named dynamic group at
// the same time: each spawn runs the group's members in its own branch, and
// the run succeeds — the children of the two spawns must not share
// workflow ids.
func TestDynamicSameNamedGroupFromTwoBranches(t *testing.T) {
	t.Parallel()
	p := graflow.Params{"width": 2, "victim": -1, "group": "workers"}
	res, err := run(t, flow(t, graflow.Chain(step("start"), graflow.Parallel(c.DySpawn.Instance("s1", p), c.DySpawn.Instance("s2", p)), step("end"))))
	require.NoError(t, err)
	log := channelLog(t, res)
	assert.ElementsMatch(t, []string{"start", "s1", "s2", "m0", "m1", "m0", "m1", "end"}, log)
	assert.Equal(t, "end", log[len(log)-1])
}
