package e2e_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
)

// Scenarios 9-22: parameter resolution and results.
func TestParameters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		node    graflow.Node
		channel map[string]any
		want    string
	}{
		{"9 channel values", c.Greet, map[string]any{"name": "Alice", "count": 5}, `"Alice/5"`},
		{"10 absent key is the zero value", c.Greet, map[string]any{"name": "Alice"}, `"Alice/0"`},
		{"12 without channel resolution", c.MultBoundOnly.Instance("calc", graflow.Params{"value": 10}), map[string]any{"value": 100, "multiplier": 5}, `0`},
		{"13 the context names the task", step("my_step"), nil, `"my_step"`},
		{"15 null in the channel is passed as null", c.EchoRaw, map[string]any{"value": nil}, `"null"`},
		{"15 absent stays absent", c.EchoRaw, nil, `"\u003cabsent\u003e"`},
		{"17 bound beats channel", c.Mult.Instance("calc", graflow.Params{"value": 10}), map[string]any{"value": 100, "multiplier": 5}, `50`},
		{"18 partial binding", c.Calculate.Instance("calc", graflow.Params{"base": 10}), map[string]any{"multiplier": 3, "offset": 5}, `35`},
		{"20 upstream result beats a plain key", graflow.Chain(c.Produce.Instance("fetch", nil), c.Use), map[string]any{"fetch": "CHANNEL-PLAIN"}, `"fetch={\"v\":1} other="`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, flow(t, tc.node), graflow.InitialChannel(tc.channel))
			require.NoError(t, err)
			require.JSONEq(t, tc.want, string(res.Raw()))
		})
	}
}

// Scenarios 11 and 16, Go rules: a value that does not decode is a
// *TaskError naming the task and field, never a silent zero value.
func TestParameterDecodeError(t *testing.T) {
	t.Parallel()
	_, err := run(t, flow(t, c.NeedsInt.Instance("strict_int", nil)), graflow.InitialChannel(map[string]any{"value": "42"}))
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "strict_int", te.TaskID)
	assert.Equal(t, 1, te.Attempt)
	var pe *graflow.ParamError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "c_needs_int", pe.Task)
	assert.Equal(t, "Value", pe.Field)
	assert.Equal(t, "value", pe.Key)
}

// Scenarios 21 and 22: results are stored and listed; a task returning
// nothing stores null; a group's own result is null.
func TestResults(t *testing.T) {
	t.Parallel()
	res, err := run(t, flow(t, graflow.Chain(step("task_a"), step("task_b"), graflow.Parallel(step("calc1"), step("calc2")).Named("calcs"), c.Nothing.Instance("quiet", nil))))
	require.NoError(t, err)
	for id, want := range map[string]string{"task_a": `"task_a"`, "task_b": `"task_b"`, "calc1": `"calc1"`, "calc2": `"calc2"`, "calcs": `null`, "quiet": `null`} {
		raw, ok := res.Channel.Raw(graflow.ResultKey(id))
		require.True(t, ok, id)
		assert.JSONEq(t, want, string(raw), id)
	}
	assert.Contains(t, res.Channel.Keys(), "quiet.__result__")
	assert.JSONEq(t, `null`, string(res.Raw()))
}

// Scenarios 23, 27, 28, 31 and 34 (fixed): execution order.
func TestOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		nodes []graflow.Node
		start string
		check func(t *testing.T, log []string)
	}{
		{"23 chain", []graflow.Node{graflow.Chain(step("a"), step("b"), step("c"))}, "", exactly("a", "b", "c")},
		{"23 single-node chain", []graflow.Node{graflow.Chain(step("a"))}, "", exactly("a")},
		{"27 chain inside a branch", []graflow.Node{graflow.Parallel(graflow.Chain(step("a"), step("b")), step("c"))}, "",
			func(t *testing.T, log []string) { onceEach(t, log, "a", "b", "c"); before(t, log, "a", "b") }},
		{"28 auto start", []graflow.Node{graflow.Chain(step("step1"), step("step2"), step("step3"))}, "", exactly("step1", "step2", "step3")},
		{"28 explicit start", []graflow.Node{graflow.Chain(step("step1"), step("step2"), step("step3"))}, "step2", exactly("step2", "step3")},
		{"29 a lone group auto-starts", []graflow.Node{graflow.Parallel(step("a"), step("b"), step("c"))}, "",
			func(t *testing.T, log []string) { onceEach(t, log, "a", "b", "c") }},
		{"30 fixed: members of a group with a predecessor are not roots", []graflow.Node{graflow.Chain(step("s"), graflow.Parallel(step("a"), step("b")), step("e"))}, "",
			func(t *testing.T, log []string) {
				onceEach(t, log, "s", "a", "b", "e")
				before(t, log, "s", "a", "b")
				before(t, log, "a", "e")
				before(t, log, "b", "e")
			}},
		{"31 diamond through a group", []graflow.Node{graflow.Chain(step("fetch"), graflow.Parallel(step("transform_a"), step("transform_b")), step("store"))}, "",
			func(t *testing.T, log []string) {
				onceEach(t, log, "fetch", "transform_a", "transform_b", "store")
				assert.Equal(t, "store", log[3])
			}},
		{"34 fixed: a plain-edge diamond's sink runs once", []graflow.Node{graflow.Chain(step("a"), step("b"), step("d")), graflow.Chain(step("a"), step("c"), step("d"))}, "", exactly("a", "b", "c", "d")},
		{"join with a predecessor that cannot run", []graflow.Node{graflow.Chain(step("x"), step("j")), graflow.Chain(step("a"), step("j"))}, "a", exactly("a", "j")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []graflow.ExecuteOption
			if tc.start != "" {
				opts = append(opts, graflow.Start(tc.start))
			}
			res, err := run(t, flow(t, tc.nodes...), opts...)
			require.NoError(t, err)
			tc.check(t, channelLog(t, res))
		})
	}
}

func exactly(want ...string) func(t *testing.T, log []string) {
	return func(t *testing.T, log []string) { assert.Equal(t, want, log) }
}

func onceEach(t *testing.T, log []string, ids ...string) {
	t.Helper()
	assert.ElementsMatch(t, ids, log)
}

func before(t *testing.T, log []string, first string, then ...string) {
	t.Helper()
	for _, id := range then {
		assert.Less(t, slices.Index(log, first), slices.Index(log, id), "%s before %s in %v", first, id, log)
	}
}

// Scenario 28: the run returns the last task's value.
func TestReturnValue(t *testing.T) {
	t.Parallel()
	res, err := run(t, flow(t, graflow.Chain(step("step1"), step("step2"), step("step3"))), graflow.Start("step2"))
	require.NoError(t, err)
	assert.Equal(t, "step3", value[string](t, res))
}

// Scenarios 29 and 30: bad graphs are refused before a run starts.
func TestInvalidGraphs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		nodes []graflow.Node
		start string
		want  string
	}{
		{"29 two roots", []graflow.Node{step("a"), step("b")}, "", "several start nodes [a, b]"},
		{"29 empty workflow", nil, "", "has no tasks"},
		{"30 fixed: unknown start", []graflow.Node{step("a")}, "nope", `start node "nope" is not in workflow`},
		{"pure cycle has no root", []graflow.Node{graflow.Chain(step("a"), step("b"), step("a"))}, "", "no start node"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []graflow.ExecuteOption
			if tc.start != "" {
				opts = append(opts, graflow.Start(tc.start))
			}
			_, err := run(t, flow(t, tc.nodes...), opts...)
			require.ErrorIs(t, err, graflow.ErrInvalidGraph)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Scenario 40: a failing task fails the run with a *TaskError; its
// successors do not run.
func TestTaskFailure(t *testing.T) {
	t.Parallel()
	_, err := run(t, flow(t, graflow.Chain(c.Fail.Instance("boom", nil), step("after"))))
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "boom", te.TaskID)
	assert.Equal(t, 1, te.Attempt)
	assert.Contains(t, te.Error(), "kaboom")
}

// onlyHere is registered in the test process but not in the worker.
var onlyHere = graflow.NewTask("c_only_in_tests", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return 1, nil })

// A spec naming a task the worker does not have does not fail the run nor
// spin through retries: the run waits for a worker that has the task and
// its current details name the task and the task queue (the test process
// has the task, the worker process does not).
func TestTaskNotRegistered(t *testing.T) {
	t.Parallel()
	wf := flow(t, onlyHere)
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID("e2e-task-not-registered"))
	require.NoError(t, err)
	defer func() { _ = srv.Client().TerminateWorkflow(context.Background(), h.WorkflowID, "", "test over") }()
	waitDetails(t, h.WorkflowID, `task c_only_in_tests waits for a worker: graflow: task not registered: "c_only_in_tests" is not registered on task queue "conformance"`)
	d, err := srv.Client().DescribeWorkflowExecution(context.Background(), h.WorkflowID, "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.WorkflowExecutionInfo.Status)
}

// Scenario 70, with deep copies (Python Graflow's branch copy is shallow, so
// branches share mutable values): branches start from a snapshot, see only
// their own writes, and their writes are replayed on the parent — appends
// and adds from every branch count.
func TestBranchChannels(t *testing.T) {
	t.Parallel()
	writer := func(id, key string, v any) *graflow.Instance {
		return c.Writer.Instance(id, graflow.Params{"key": key, "value": v})
	}
	res, err := run(t, flow(t, graflow.Chain(
		writer("src", "k", "parent"),
		graflow.Parallel(
			graflow.Chain(writer("wa", "only_a", 1), c.Reader.Instance("ra", graflow.Params{"key": "only_b"})),
			graflow.Chain(writer("wb", "only_b", 2), c.Reader.Instance("rb", graflow.Params{"key": "k"})),
		),
		c.Reader.Instance("sink", graflow.Params{"key": "only_a"}),
	)))
	require.NoError(t, err)
	get := func(key string) string {
		raw, ok := res.Channel.Raw(key)
		require.True(t, ok, key)
		return string(raw)
	}
	assert.JSONEq(t, `"<absent>"`, get("ra.__result__"), "a branch does not see its sibling's writes")
	assert.JSONEq(t, `"\"parent\""`, get("rb.__result__"), "a branch sees the parent's channel (read on demand)")
	assert.JSONEq(t, `"1"`, get("sink.__result__"), "the successor sees the branches' writes")
	assert.JSONEq(t, `3`, get("counter"), "adds from every branch count")
	var shared []string
	require.NoError(t, res.Channel.Get("shared", &shared))
	assert.ElementsMatch(t, []string{"src", "wa", "wb"}, shared)
	assert.Equal(t, "src", shared[0])
}

// The Web UI shows task names as activity types, instance ids as their
// summaries, and the workflow's name as the workflow type.
func TestHistoryNamesTasks(t *testing.T) {
	t.Parallel()
	res, err := run(t, flow(t, graflow.Chain(step("first"), c.Greet)))
	require.NoError(t, err)
	cl := srv.Client()
	d, err := cl.DescribeWorkflowExecution(context.Background(), res.WorkflowID, "")
	require.NoError(t, err)
	assert.Equal(t, "TestHistoryNamesTasks", d.WorkflowExecutionInfo.Type.Name)
	var types []string
	it := cl.GetWorkflowHistory(context.Background(), res.WorkflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			types = append(types, a.ActivityType.Name)
			require.NotNil(t, ev.UserMetadata)
		}
	}
	assert.Equal(t, []string{"c_step", "c_greet"}, types)
	require.Less(t, historyLength(t, cl, res.WorkflowID), 30)
}
