package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

var (
	starterOnce sync.Once
	starterErr  error
)

// starterPath builds cmd/starter once (it links the Temporal server: a warm
// build takes 10-60 s).
func starterPath(t *testing.T) string {
	t.Helper()
	starterOnce.Do(func() { starterErr = goBuild("./cmd/starter") })
	require.NoError(t, starterErr)
	return filepath.Join(binDir, "starter")
}

// cliResult is what a starter process printed and how it ended.
type cliResult struct {
	stdout, stderr string
	err            error
}

// starterCmd returns `starter args...` against the test server, in a clean
// directory (no graflow.yaml).
func starterCmd(t *testing.T, ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, starterPath(t), append(args, "--address", srv.FrontendAddress(), "--namespace", srv.Namespace())...)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// feedbackCLI runs `starter feedback args...` as a separate process.
func feedbackCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, stdout, stderr := starterCmd(t, ctx, append([]string{"feedback"}, args...)...)
	err := cmd.Run()
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// answerCLI runs `starter feedback <verb> <workflowID> <rest>...` and
// requires it to succeed.
func answerCLI(t *testing.T, workflowID string, answer []string) string {
	t.Helper()
	r := feedbackCLI(t, append([]string{answer[0], workflowID}, answer[1:]...)...)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	return r.stdout
}

var fc = sync.OnceValue(func() *signals.Client { return env.Feedback() })

// waitPending waits until requestID is pending in the run.
func waitPending(t *testing.T, workflowID, requestID string, cond ...func(signals.Pending) bool) signals.Pending {
	t.Helper()
	return env.WaitPending(t, workflowID, requestID, cond...)
}

// waitListed waits until visibility lists workflowID as awaiting feedback.
func waitListed(t *testing.T, workflowID string) {
	t.Helper()
	env.WaitListed(t, workflowID)
}

// awaitingAttribute returns the run's GraflowAwaitingFeedback.
func awaitingAttribute(t *testing.T, workflowID string) (value, set bool) {
	t.Helper()
	d, err := srv.Client().DescribeWorkflowExecution(context.Background(), workflowID, "")
	require.NoError(t, err)
	p, ok := d.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()[signals.AwaitingAttribute]
	if !ok {
		return false, false
	}
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &value))
	return value, true
}

// replays checks that the run's history replays through the interpreter.
func replays(t *testing.T, workflowID string) {
	t.Helper()
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
	require.NoError(t, replayer.ReplayWorkflowHistory(nil, fetchHistory(t, workflowID)))
}

func startExample(t *testing.T, ex examples.Example, id string) *graflow.Handle {
	t.Helper()
	h, err := ex.Workflow().Start(context.Background(), exampleRunner, append(slices.Clone(ex.Options), graflow.WorkflowID(id))...)
	require.NoError(t, err)
	return h
}

// Every HITL example of Graflow's guide, run by the cmd/worker process and
// answered through `starter feedback` as a separate process; the run also
// shows in `starter feedback list` (search attribute) while it waits.
func TestHITLExamplesThroughCLI(t *testing.T) {
	t.Parallel()
	require.NotEmpty(t, examples.AllInteractive())
	for _, ex := range examples.AllInteractive() {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			id := "e2e-hitl-" + ex.Name
			h := startExample(t, ex, id)
			requestID := ex.Answer[1]
			waitPending(t, id, requestID)
			waitListed(t, id)
			value, set := awaitingAttribute(t, id)
			assert.True(t, set && value, "GraflowAwaitingFeedback while waiting")
			list := feedbackCLI(t, "list")
			require.NoError(t, list.err, list.stderr)
			assert.Regexp(t, fmt.Sprintf(`(?m)^%s\s+%s\s`, id, requestID), list.stdout)

			out := answerCLI(t, id, ex.Answer)
			assert.Contains(t, out, fmt.Sprintf("answered %s of %s: ", requestID, id))
			res, err := resultOf(t, h)
			require.NoError(t, err)
			got, err := ex.Format(res)
			require.NoError(t, err)
			assert.Equal(t, ex.Output, got)
			value, _ = awaitingAttribute(t, id)
			assert.False(t, value, "GraflowAwaitingFeedback cleared")
			replays(t, id)
		})
	}
}

// Graflow's rejected deployment: the run fails with
// *WorkflowCanceledError "Deployment rejected" and deploy never runs.
func TestHITLDeployRejectedThroughCLI(t *testing.T) {
	t.Parallel()
	ex, ok := examples.Get("deploy_approval")
	require.True(t, ok)
	id := "e2e-hitl-deploy-rejected"
	h := startExample(t, ex, id)
	waitPending(t, id, "deploy_approval")
	out := answerCLI(t, id, []string{"reject", "deploy_approval", "--reason", "not on a Friday", "--by", "bob"})
	assert.Equal(t, fmt.Sprintf("answered deploy_approval of %s: rejected (reason: not on a Friday) by bob\n", id), out)
	_, err := resultOf(t, h)
	var ce *graflow.WorkflowCanceledError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "Deployment rejected", ce.Reason)
	assert.Equal(t, "approval_task", ce.TaskID)
	assert.NotContains(t, activityTypes(t, id), "deploy")
}

// activityTypes lists the activity types a run scheduled.
func activityTypes(t *testing.T, workflowID string) []string {
	t.Helper()
	var types []string
	for _, ev := range fetchHistory(t, workflowID).GetEvents() {
		if ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			types = append(types, ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		}
	}
	return types
}

// A raw Signal with the documented JSON (what `temporal workflow signal
// --name graflow.feedback --input '{...}'` sends): a bad one is recorded
// and shown by `feedback list`, never applied; a good one answers.
func TestHITLRawSignal(t *testing.T) {
	t.Parallel()
	ex, ok := examples.Get("config_input")
	require.True(t, ok)
	id := "e2e-hitl-raw-signal"
	h := startExample(t, ex, id)
	waitPending(t, id, "config_input")
	ctx := context.Background()
	bad := json.RawMessage(`{"request_id": "config_input", "approved": true}`)
	require.NoError(t, srv.Client().SignalWorkflow(ctx, id, "", signals.FeedbackName, bad))
	p := waitPending(t, id, "config_input", func(p signals.Pending) bool { return len(p.Rejected) == 1 })
	assert.Equal(t, `"approved" does not answer a text request "config_input" (it wants "value")`, p.Rejected[0].Reason)
	list := feedbackCLI(t, "list", "--workflow-id", id)
	require.NoError(t, list.err, list.stderr)
	assert.Contains(t, list.stdout, `rejected signal {"request_id":"config_input","approved":true}: "approved" does not answer a text request`)

	good := json.RawMessage(`{"request_id": "config_input", "value": "from a raw signal", "reason": "", "responded_by": "ops"}`)
	require.NoError(t, srv.Client().SignalWorkflow(ctx, id, "", signals.FeedbackName, good))
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "config value: from a raw signal", value[string](t, res))
	replays(t, id)
}

// Invalid Updates are refused with their reason (exit 1, "Error: ...") and
// change nothing; a valid one then answers.
func TestHITLInvalidUpdateRejected(t *testing.T) {
	t.Parallel()
	ex, ok := examples.Get("model_selection")
	require.True(t, ok)
	id := "e2e-hitl-invalid-update"
	h := startExample(t, ex, id)
	before := waitPending(t, id, "model_selection")
	for args, reason := range map[string]string{
		"select model_selection gpt-5":              `"gpt-5" is not an option of request "model_selection" (options: gpt-4o, gpt-4o-mini, claude-3-5-sonnet)`,
		"approve model_selection":                   `"approved" does not answer a selection request "model_selection" (it wants "value" or "values")`,
		"select nope gpt-4o":                        `unknown request "nope" (open requests: model_selection)`,
		"select model_selection gpt-4o gpt-4o-mini": `selection request "model_selection" takes one value, got 2`,
	} {
		fields := strings.Fields(args)
		r := feedbackCLI(t, append([]string{fields[0], id}, fields[1:]...)...)
		require.Error(t, r.err, args)
		var exit *exec.ExitError
		require.ErrorAs(t, r.err, &exit)
		assert.Equal(t, 1, exit.ExitCode())
		assert.Empty(t, r.stdout)
		assert.Equal(t, fmt.Sprintf("Error: run %s rejected the answer to %q: %s\n", id, fields[1], reason), r.stderr, args)
	}
	after := waitPending(t, id, "model_selection")
	assert.Equal(t, before, after, "rejected Updates change nothing")
	answerCLI(t, id, []string{"select", "model_selection", "gpt-4o-mini"})
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "selected model: gpt-4o-mini", value[string](t, res))
}

// Scenarios 92 and 93: the waiter gets the timeout (1 s) and handles it
// with a default; while it waits the run lists exactly its request.
func TestHITLTimeoutHandled(t *testing.T) {
	t.Parallel()
	wf := flow(t, ask("wait_for_it", c.AskIn{ID: "test_request", Kind: "approval", Message: "Approve?", TimeoutMS: 1000, HandleTimeout: true}))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID("e2e-hitl-timeout-handled"))
	require.NoError(t, err)
	pending, err := fc().Pending(context.Background(), h.WorkflowID)
	if err == nil && len(pending) > 0 { // may already have timed out
		require.Len(t, pending, 1)
		assert.Equal(t, graflow.Approval, pending[0].Type)
		assert.Equal(t, "wait_for_it", pending[0].TaskID)
	}
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "Timeout handled", value[string](t, res))
	v, set := awaitingAttribute(t, h.WorkflowID)
	assert.True(t, set)
	assert.False(t, v)
	replays(t, h.WorkflowID)
}

// Scenario 91: an unhandled timeout leaves the run open, still listed and
// awaiting; a late answer (approved, rejected or text) resumes it, and the
// downstream task sees the decision.
func TestHITLUnhandledTimeoutThenLateAnswer(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		kind   string
		answer []string
		want   string
	}{
		"approved": {"approval", []string{"approve", "deployment_approval"}, "DEPLOYED"},
		"rejected": {"approval", []string{"reject", "deployment_approval", "--reason", "no"}, "SKIPPED"},
		"text":     {"text", []string{"text", "deployment_approval", "canary only"}, "received: canary only"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wf := flow(t, graflow.Chain(ask("gate", c.AskIn{ID: "deployment_approval", Kind: tc.kind, Message: "Deploy?", TimeoutMS: 100}), c.ExecuteDeployment.Instance("execute", nil)))
			id := "e2e-hitl-late-" + name
			h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
			require.NoError(t, err)
			p := waitPending(t, id, "deployment_approval", func(p signals.Pending) bool { return p.TimedOut })
			assert.Equal(t, "gate", p.TaskID)
			v, set := awaitingAttribute(t, id)
			assert.True(t, set && v, "still awaiting after the timeout")
			waitListed(t, id)
			answerCLI(t, id, tc.answer)
			res, err := resultOf(t, h)
			require.NoError(t, err)
			assert.Equal(t, tc.want, value[string](t, res))
			replays(t, id)
		})
	}
}

// Two requests in one task (different ids): the task suspends on each in
// turn, both answered through the CLI; the re-runs are not new cycles.
func TestHITLTwoRequestsInOneTask(t *testing.T) {
	t.Parallel()
	wf := flow(t, c.AskTwice.Instance("twice", nil))
	id := "e2e-hitl-two-requests"
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
	require.NoError(t, err)
	waitPending(t, id, "first")
	answerCLI(t, id, []string{"text", "first", "one"})
	waitPending(t, id, "second")
	answerCLI(t, id, []string{"text", "second", "two"})
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "one+two (cycle 1)", value[string](t, res))
}

// Answers arriving while the run's only worker is down — one by Signal,
// one by the validated Update (the CLI waits for a worker) — are applied
// when a worker starts again, and both runs complete.
func TestHITLAnswerWhileWorkerDown(t *testing.T) {
	t.Parallel()
	first, err := spawnWorker("testworker", c.HIDownQueue, "hitl-down-1")
	require.NoError(t, err)
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: c.HIDownQueue})
	var handles []*graflow.Handle
	for _, name := range []string{"signal", "update"} {
		wf := flow(t, ask("gate", c.AskIn{ID: "go", Kind: "approval", Message: "Go?"}))
		h, err := wf.Start(context.Background(), runner, graflow.WorkflowID("e2e-hitl-down-"+name))
		require.NoError(t, err)
		handles = append(handles, h)
		waitPending(t, h.WorkflowID, "go")
	}
	first.Kill(syscall.SIGKILL)

	r := feedbackCLI(t, "approve", handles[0].WorkflowID, "go", "--signal", "--by", "carol")
	require.NoError(t, r.err, r.stderr)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, stdout, stderr := starterCmd(t, ctx, "feedback", "approve", handles[1].WorkflowID, "go", "--by", "dave")
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("the Update returned without a worker: %v\n%s%s", err, stdout, stderr)
	case <-time.After(2 * time.Second):
	}

	second, err := spawnWorker("testworker", c.HIDownQueue, "hitl-down-2")
	require.NoError(t, err)
	t.Cleanup(func() { second.Kill(syscall.SIGTERM) })
	select {
	case err := <-exited:
		require.NoError(t, err, "stderr: %s", stderr)
	case <-ctx.Done():
		t.Fatal("the Update did not complete after the worker started")
	}
	assert.Equal(t, fmt.Sprintf("answered go of %s: approved by dave\n", handles[1].WorkflowID), stdout.String())
	for _, h := range handles {
		res, err := resultOf(t, h)
		require.NoError(t, err, h.WorkflowID)
		assert.Equal(t, "approved", value[string](t, res))
	}
}

// Scenarios 89, 90 and 92-94 on the server, answered with the client
// helper (the CLI paths are covered above).
func TestHITLConformance(t *testing.T) {
	t.Parallel()
	answer := func(t *testing.T, id string, a signals.Answer) {
		t.Helper()
		_, err := fc().Answer(context.Background(), id, a)
		require.NoError(t, err)
	}
	start := func(t *testing.T, id string, nodes ...graflow.Node) *graflow.Handle {
		t.Helper()
		h, err := flow(t, nodes...).Start(context.Background(), conformRunner, graflow.WorkflowID(id))
		require.NoError(t, err)
		return h
	}

	// 89: every kind of answer (harness.Env.HITLAnswers).
	t.Run("89_answers", func(t *testing.T) {
		t.Parallel()
		env.HITLAnswers(t, "e2e-hitl-89-")
	})

	// 90: channel_key gets the value and the whole response.
	t.Run("90_channel_key", func(t *testing.T) {
		t.Parallel()
		id := "e2e-hitl-90"
		h := start(t, id, ask("asker", c.AskIn{ID: "deploy", Kind: "approval", ChannelKey: "deployment_approved"}))
		waitPending(t, id, "deploy")
		a := signals.Approve("deploy")
		a.RespondedBy = "alice"
		answer(t, id, a)
		res, err := resultOf(t, h)
		require.NoError(t, err)
		assert.True(t, channelValue[bool](t, res, "deployment_approved"))
		whole := channelValue[map[string]any](t, res, "deployment_approved.__feedback_response__")
		assert.Equal(t, true, whole["approved"])
		assert.Equal(t, "deploy", whole["request_id"])
		assert.Equal(t, "alice", whole["responded_by"])
		assert.Equal(t, []string{"asked deploy"}, channelValue[[]string](t, res, "asks"), "the suspended run's write is discarded")
	})

	// 92: a rejected approval cancels the run and the next task does not
	// run; two approved gates in sequence reach the final task.
	t.Run("92_gates", func(t *testing.T) {
		t.Parallel()
		id := "e2e-hitl-92-reject"
		h := start(t, id, graflow.Chain(c.CancelOnReject.Instance("gate", graflow.Params{"id": "g"}), step("next")))
		waitPending(t, id, "g")
		answer(t, id, signals.Reject("g", "no"))
		_, err := resultOf(t, h)
		var ce *graflow.WorkflowCanceledError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "Deployment rejected", ce.Reason)
		assert.NotContains(t, activityTypes(t, id), c.Step.Name())

		id = "e2e-hitl-92-pipeline"
		h = start(t, id, graflow.Chain(c.CancelOnReject.Instance("gate1", graflow.Params{"id": "g1"}), c.CancelOnReject.Instance("gate2", graflow.Params{"id": "g2"}), c.Final.Instance("final", nil)))
		waitPending(t, id, "g1")
		answer(t, id, signals.Approve("g1"))
		waitPending(t, id, "g2")
		answer(t, id, signals.Approve("g2"))
		res, err := resultOf(t, h)
		require.NoError(t, err)
		assert.Equal(t, "Pipeline complete", value[string](t, res))
	})

	// 93: the pending list of a run holds exactly its request (type
	// approval, the asking task); another run's list does not.
	t.Run("93_pending_list", func(t *testing.T) {
		t.Parallel()
		a, b := "e2e-hitl-93-a", "e2e-hitl-93-b"
		ha := start(t, a, ask("test_task", c.AskIn{ID: "ra", Kind: "approval", Message: "A?"}))
		hb := start(t, b, ask("test_task", c.AskIn{ID: "rb", Kind: "text", Message: "B?"}))
		waitPending(t, a, "ra")
		waitPending(t, b, "rb")
		pa, err := fc().Pending(context.Background(), a)
		require.NoError(t, err)
		require.Len(t, pa, 1)
		assert.Equal(t, "ra", pa[0].RequestID)
		assert.Equal(t, graflow.Approval, pa[0].Type)
		assert.Equal(t, "A?", pa[0].Message)
		assert.Equal(t, "test_task", pa[0].TaskID)
		assert.Nil(t, pa[0].Deadline)
		answer(t, a, signals.Approve("ra"))
		answer(t, b, signals.Text("rb", "x"))
		for _, h := range []*graflow.Handle{ha, hb} {
			_, err := resultOf(t, h)
			require.NoError(t, err)
		}
	})

	// 94: after an unhandled timeout the request is still listed (timed
	// out) and an answer is accepted; a second answer and an unknown id
	// are refused; an invalid feedback type fails the task.
	t.Run("94_after_timeout", func(t *testing.T) {
		t.Parallel()
		id := "e2e-hitl-94"
		h := start(t, id, graflow.Chain(ask("first", c.AskIn{ID: "late", Kind: "approval", TimeoutMS: 100}), ask("hold", c.AskIn{ID: "hold", Kind: "approval"})))
		waitPending(t, id, "late", func(p signals.Pending) bool { return p.TimedOut })
		answer(t, id, signals.Approve("late"))
		waitPending(t, id, "hold")
		_, err := fc().Answer(context.Background(), id, signals.Reject("late", "changed my mind"))
		var rej *signals.RejectedError
		require.ErrorAs(t, err, &rej)
		assert.Regexp(t, `^request "late" was already answered at `, rej.Reason)
		_, err = fc().Answer(context.Background(), id, signals.Approve("nope"))
		require.ErrorAs(t, err, &rej)
		assert.Equal(t, `unknown request "nope" (open requests: hold)`, rej.Reason)
		answer(t, id, signals.Approve("hold"))
		res, err := resultOf(t, h)
		require.NoError(t, err)
		var first string
		require.NoError(t, res.Channel.Get(graflow.ResultKey("first"), &first))
		assert.Equal(t, "approved", first)

		_, err = run(t, flow(t, ask("bad", c.AskIn{ID: "x", Kind: "yesno"})))
		var te *graflow.TaskError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, "bad", te.TaskID)
		assert.Contains(t, err.Error(), `unknown feedback type "yesno"`)
	})
}

// A request inside a dynamic child is the child's: `feedback list` finds
// the child by its search attribute and the CLI answers it by the child's
// workflow id.
func TestHITLInDynamicChild(t *testing.T) {
	t.Parallel()
	id := "e2e-hitl-child"
	wf := flow(t, c.SpawnAsk.Instance("spawn", graflow.Params{"id": "child_q", "kind": "text", "message": "From the child?"}))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
	require.NoError(t, err)
	child := id + "/hi_fan/hi_ask"
	waitPending(t, child, "child_q")
	waitListed(t, child)
	list := feedbackCLI(t, "list")
	require.NoError(t, list.err, list.stderr)
	assert.Regexp(t, fmt.Sprintf(`(?m)^%s\s+child_q\s+text\s`, child), list.stdout)
	answerCLI(t, child, []string{"text", "child_q", "from the CLI"})
	res, err := resultOf(t, h)
	require.NoError(t, err)
	var got string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("hi_ask"), &got))
	assert.Equal(t, "from the CLI", got)
}

// Answers survive continue-as-new: a request answered before a long loop
// is answered again at once when asked after it, and an answer signaled
// for a request not made yet is kept across the boundary.
func TestHITLAcrossContinueAsNew(t *testing.T) {
	t.Parallel()
	id := "e2e-hitl-continue-as-new"
	wf := flow(t, graflow.Chain(
		ask("first", c.AskIn{ID: "carry", Kind: "text"}),
		c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": 900}),
		ask("again", c.AskIn{ID: "carry", Kind: "text"}),
		ask("later", c.AskIn{ID: "early_q", Kind: "text"}),
	))
	h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
	require.NoError(t, err)
	waitPending(t, id, "carry")
	_, err = fc().Answer(context.Background(), id, signals.Text("carry", "kept"))
	require.NoError(t, err)
	require.NoError(t, fc().Signal(context.Background(), id, signals.Text("early_q", "early")))
	res, err := resultOf(t, h)
	require.NoError(t, err)
	assert.Equal(t, "early", value[string](t, res))
	var again string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("again"), &again))
	assert.Equal(t, "kept", again)
	runs := 0
	var token []byte
	for {
		resp, err := srv.Client().WorkflowService().ListWorkflowExecutions(context.Background(), env.ListRequest(id, token))
		require.NoError(t, err)
		runs += len(resp.GetExecutions())
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	assert.Greater(t, runs, 1, "the run continued as new")
}
