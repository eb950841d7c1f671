package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/internal/testutil"
)

// describeJSON is the part of `starter describe --json` the tests read.
type describeJSON struct {
	Status  string `json:"status"`
	Flow    string `json:"flow"`
	Failure string `json:"failure"`
	Tasks   []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		Attempts int    `json:"attempts"`
		Worker   string `json:"worker"`
	} `json:"tasks"`
	Feedback []struct {
		RequestID string `json:"request_id"`
	} `json:"pending_feedback"`
}

func (d describeJSON) states() map[string]string {
	out := map[string]string{}
	for _, t := range d.Tasks {
		out[t.ID] = t.State
	}
	return out
}

// describe, graph and runs as separate processes against `starter dev`
// (its in-process worker), for a finished, a failed and a waiting run; and
// what the Web UI shows of a run, read through the server's API.
func TestDescribeRuns(t *testing.T) {
	bin := starterBinary(t)
	dir := t.TempDir()
	addr := testutil.FreeAddress(t)
	startDev(t, bin, dir, addr)
	st := func(args ...string) string { return runBinary(t, bin, dir, append(args, "--address", addr)...) }
	describe := func(id string) describeJSON {
		var d describeJSON
		require.NoError(t, json.Unmarshal([]byte(st("describe", id, "--json")), &d))
		return d
	}

	st("run", "diamond", "--workflow-id", "d-done", "--quiet")
	_, err := runCommand(bin, dir, "run", "policy_strict", "--workflow-id", "d-failed", "--quiet", "--address", addr)
	require.Error(t, err)
	st("start", "deploy_approval", "--workflow-id", "d-waiting")

	t.Run("finished", func(t *testing.T) {
		d := describe("d-done")
		assert.Equal(t, "Completed", d.Status)
		assert.Equal(t, "fetch >> (transform_a | transform_b) >> store", d.Flow)
		assert.Equal(t, map[string]string{"fetch": "done", "transform_a": "done", "transform_b": "done", "store": "done"}, d.states())
		for _, task := range d.Tasks {
			assert.Equal(t, 1, task.Attempts, task.ID)
			assert.NotEmpty(t, task.Worker, task.ID)
		}
		text := st("describe", "d-done")
		for _, want := range []string{"Status    Completed", "Flow      fetch >> (transform_a | transform_b) >> store",
			"Tasks     4 total: 4 done", "TASK ", "store.__result__"} {
			assert.Contains(t, text, want)
		}
		graph := st("graph", "--workflow-id", "d-done")
		assert.Contains(t, graph, "class n_fetch,n_transform_a,n_transform_b,n_ParallelGroup_1,n_store done")
	})
	t.Run("failed", func(t *testing.T) {
		d := describe("d-failed")
		assert.Equal(t, "Failed", d.Status)
		assert.NotEmpty(t, d.Failure)
		states := d.states()
		assert.Contains(t, states, "report_sources")
		assert.Equal(t, "", states["report_sources"], "the report is not reached")
		failed := 0
		for _, s := range states {
			if s == "failed" {
				failed++
			}
		}
		assert.Positive(t, failed, "a member failed: %v", states)
		assert.Contains(t, st("describe", "d-failed"), "not reached")
		assert.Contains(t, st("graph", "--workflow-id", "d-failed", "--format", "dot"), `fillcolor="#ffcdd2"`)
	})
	t.Run("waiting", func(t *testing.T) {
		var d describeJSON
		require.Eventually(t, func() bool {
			d = describe("d-waiting")
			return len(d.Feedback) == 1
		}, time.Minute, 200*time.Millisecond)
		assert.Equal(t, "Running", d.Status)
		assert.Contains(t, d.states(), "approval_task")
		assert.Equal(t, "waiting for feedback", d.states()["approval_task"])
		text := st("describe", "d-waiting")
		assert.Contains(t, text, "FEEDBACK REQUEST")
		assert.Contains(t, text, d.Feedback[0].RequestID)
	})
	t.Run("runs", func(t *testing.T) {
		var rows []runRow
		require.Eventually(t, func() bool {
			rows = nil
			require.NoError(t, json.Unmarshal([]byte(st("runs", "--json")), &rows))
			return len(rows) >= 3
		}, 30*time.Second, 200*time.Millisecond)
		ids := func(args ...string) []string {
			var rows []runRow
			require.NoError(t, json.Unmarshal([]byte(st(append([]string{"runs", "--json"}, args...)...)), &rows))
			var out []string
			for _, r := range rows {
				out = append(out, r.WorkflowID)
			}
			return out
		}
		assert.ElementsMatch(t, []string{"d-done", "d-failed", "d-waiting"}, ids())
		assert.Equal(t, []string{"d-failed"}, ids("--failed"))
		assert.Equal(t, []string{"d-waiting"}, ids("--running"))
		assert.Equal(t, []string{"d-waiting"}, ids("--awaiting-feedback"))
		assert.Equal(t, []string{"d-done"}, ids("--workflow", "diamond"))
		line := st("runs", "--workflow", "diamond", "--ui-url", "http://ui.example")
		assert.Regexp(t, `^d-done +diamond +Completed .* http://ui.example/namespaces/default/workflows/d-done/`, line)
	})
	t.Run("web UI", func(t *testing.T) {
		c, err := client.Dial(client.Options{HostPort: addr})
		require.NoError(t, err)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		desc, err := c.DescribeWorkflowExecution(ctx, "d-done", "")
		require.NoError(t, err)
		var summary, details string
		md := desc.GetExecutionConfig().GetUserMetadata()
		require.NoError(t, json.Unmarshal(md.GetSummary().GetData(), &summary))
		require.NoError(t, json.Unmarshal(md.GetDetails().GetData(), &details))
		assert.Equal(t, "fetch >> (transform_a | transform_b) >> store", summary)
		assert.Contains(t, details, "**graflow workflow `diamond`**: 4 tasks, 1 parallel group.")
		assert.Contains(t, details, "```mermaid\nflowchart LR\n")

		// Current details, live: the waiting run says what it waits for.
		v, err := c.QueryWorkflow(ctx, "d-waiting", "", "__temporal_workflow_metadata")
		require.NoError(t, err)
		var meta sdkpb.WorkflowMetadata
		require.NoError(t, v.Get(&meta))
		assert.Contains(t, meta.GetCurrentDetails(), "1 feedback request waiting")
	})
}

// Progress of a 200-member fan-out when stderr is not a terminal: one line
// per member start and end, in the order the history tells them, and the
// result on stdout alone.
func TestRunProgressLines(t *testing.T) {
	bin := starterBinary(t)
	dir := t.TempDir()
	addr := testutil.FreeAddress(t)
	startDev(t, bin, dir, addr)
	items := make([]string, 200)
	for i := range items {
		items[i] = fmt.Sprintf("item-%03d", i)
	}
	raw, _ := json.Marshal(items)
	stdout, stderr := runBoth(t, bin, dir, "run", "create_workers", "--workflow-id", "fan-200", "--input", "items="+string(raw), "--address", addr)
	assert.True(t, strings.HasPrefix(stdout, "processed 200 items: ITEM-000, "), stdout)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	count := func(prefix string) int {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	for i := range items {
		member := fmt.Sprintf("task worker_%d (process_item) ", i)
		assert.Equal(t, 1, count(member+"started"), member)
		assert.Equal(t, 1, count(member+"done"), member)
	}
	for _, task := range []string{"create_workers", "summarize_workers"} {
		assert.Equal(t, 1, count("task "+task+" started"), task)
		assert.Equal(t, 1, count("task "+task+" done in "), task)
	}
	var others []string
	for _, l := range lines {
		if strings.HasPrefix(l, "task ") && !strings.HasPrefix(l, "task worker_") {
			others = append(others, l)
		}
	}
	assert.Len(t, others, 4, "no other task lines: %q", others)

	graph := runBinary(t, bin, dir, "graph", "--workflow-id", "fan-200", "--address", addr)
	assert.Contains(t, graph, `subgraph n_ParallelGroup_1 ["ParallelGroup_1: 200 branches, strict"]`)
	assert.Contains(t, graph, `n_ParallelGroup_1_more["… 192 more"]`)
	assert.Contains(t, graph, "n_create_workers -.-> n_ParallelGroup_1")

	var res resultJSON
	out := runBinary(t, bin, dir, "result", "fan-200", "--json", "--quiet", "--address", addr)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "fan-200", res.WorkflowID)
	var processed []string
	require.NoError(t, json.Unmarshal(res.Channel["processed"], &processed))
	assert.Len(t, processed, len(items), "every member's append is in the channel")
}
