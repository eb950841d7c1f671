package temporal_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// hitl runs one workflow in the SDK test environment (timers skipped) so
// that a test can answer its feedback requests at chosen workflow times.
type hitl struct {
	t        *testing.T
	reg      *graflow.Registry
	env      *testsuite.TestWorkflowEnvironment
	start    time.Time
	awaiting []bool // values of GraflowAwaitingFeedback, in order
}

func newHITL(t *testing.T, reg *graflow.Registry) *hitl {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	h := &hitl{t: t, reg: reg, env: suite.NewTestWorkflowEnvironment()}
	h.env.SetTestTimeout(30 * time.Second)
	return h
}

// run executes wf to its end and returns its result or typed error.
func (h *hitl) run(wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	h.t.Helper()
	require.NoError(h.t, wf.Validate())
	var cfg engine.RunConfig
	for _, o := range opts {
		o(&cfg)
	}
	start, err := engine.StartNode(wf, cfg.Start)
	require.NoError(h.t, err)
	cfg.Start = start
	in, err := engine.Compile(wf, cfg)
	require.NoError(h.t, err)
	in.Spec.InlineChannel = true
	// Registered here, once the test has defined its tasks.
	require.NoError(h.t, temporal.Register(h.env, h.reg, activities.NewRunner(h.reg, nil, slog.New(slog.DiscardHandler)), "test"))
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		v, ok := args.Get(0).(sdktemporal.SearchAttributes).GetBool(signals.AwaitingFeedback)
		require.True(h.t, ok, "upsert without %s", signals.AwaitingAttribute)
		h.awaiting = append(h.awaiting, v)
	}).Return(nil)
	h.start = h.env.Now()
	h.env.ExecuteWorkflow(wf.Name(), in)
	require.True(h.t, h.env.IsWorkflowCompleted(), "workflow did not complete")
	if err := h.env.GetWorkflowError(); err != nil {
		return nil, failures.Decode(err)
	}
	var out wire.RunOutput
	require.NoError(h.t, h.env.GetWorkflowResult(&out))
	return engine.NewResult("test", "", out.Value, engine.NewChannel(out.Channel, engine.ChannelOptions{ReadOnly: true})), nil
}

// at runs fn when the workflow clock has advanced by d.
func (h *hitl) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// elapsed is the workflow time since the run started.
func (h *hitl) elapsed() time.Duration { return h.env.Now().Sub(h.start) }

// updateOutcome is filled when the run has handled an Update.
type updateOutcome struct {
	rejected error
	resp     graflow.FeedbackResponse
	err      error
	done     bool
}

var updateSeq atomic.Int64

// update sends answer (a signals.Answer or any JSON-able payload) by Update.
func (h *hitl) update(answer any) *updateOutcome {
	o := &updateOutcome{}
	h.env.UpdateWorkflow(signals.FeedbackName, fmt.Sprintf("u%d", updateSeq.Add(1)), &testsuite.TestUpdateCallback{
		OnReject: func(err error) { o.rejected, o.done = err, true },
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			o.err, o.done = err, true
			if r, ok := v.(graflow.FeedbackResponse); ok {
				o.resp = r
			}
		},
	}, answer)
	return o
}

func (h *hitl) signal(answer any) { h.env.SignalWorkflow(signals.FeedbackName, answer) }

func (h *hitl) pending() []signals.Pending {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(signals.PendingQuery)
	require.NoError(h.t, err)
	var out []signals.Pending
	require.NoError(h.t, v.Get(&out))
	return out
}

func ptr[T any](v T) *T { return &v }

// asker returns a task that counts its runs and asks req, returning a
// description of the answer (or the error).
func asker(reg *graflow.Registry, name string, runs *atomic.Int32, req graflow.FeedbackRequest) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		runs.Add(1)
		resp, err := ctx.RequestFeedback(req)
		if err != nil {
			return "", err
		}
		switch req.Type {
		case graflow.Approval:
			return fmt.Sprintf("approved=%v reason=%q by=%q cycle=%d", resp.Approved, resp.Reason, resp.RespondedBy, ctx.Cycle()), nil
		case graflow.MultiSelection:
			return fmt.Sprintf("values=%v", resp.Values), nil
		case graflow.Custom:
			return fmt.Sprintf("data=%v", resp.Data), nil
		}
		return "value=" + resp.Value, nil
	}, graflow.WithRegistry(reg))
}

func wfOf(name string, n graflow.Node) *graflow.Workflow {
	wf := graflow.NewWorkflow(name)
	wf.Add(n)
	return wf
}

func TestFeedbackApprovalByUpdate(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	req := graflow.FeedbackRequest{ID: "deploy_approval", Type: graflow.Approval, Message: "Approve deployment to production?", Timeout: 5 * time.Minute}
	h := newHITL(t, reg)
	var before []signals.Pending
	var o *updateOutcome
	h.at(time.Minute, func() {
		before = h.pending()
		o = h.update(signals.Answer{RequestID: "deploy_approval", Approved: ptr(true), Reason: "ship it", RespondedBy: "alice"})
	})
	res, err := h.run(wfOf("hitl_approval", asker(reg, "ask", &runs, req)))
	require.NoError(t, err)
	assert.Equal(t, `approved=true reason="ship it" by="alice" cycle=1`, value[string](t, res))
	assert.EqualValues(t, 2, runs.Load(), "the task runs again after the answer")
	require.Len(t, before, 1)
	assert.Equal(t, "deploy_approval", before[0].RequestID)
	assert.Equal(t, graflow.Approval, before[0].Type)
	assert.Equal(t, "Approve deployment to production?", before[0].Message)
	assert.Equal(t, "ask", before[0].TaskID)
	require.NotNil(t, before[0].Deadline)
	assert.Equal(t, 5*time.Minute, before[0].Deadline.Sub(before[0].RequestedAt))
	assert.False(t, before[0].TimedOut)
	require.True(t, o.done)
	require.NoError(t, o.rejected)
	require.NoError(t, o.err)
	assert.True(t, o.resp.Approved)
	assert.Equal(t, "alice", o.resp.RespondedBy)
	assert.Equal(t, []bool{true, false}, h.awaiting, "GraflowAwaitingFeedback set while waiting, cleared after")
	assert.Less(t, h.elapsed(), 2*time.Minute)
}

func TestFeedbackRejectedApprovalCancels(t *testing.T) {
	reg := graflow.NewRegistry()
	deployed := false
	deploy := graflow.NewTask("deploy", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		deployed = true
		return "deployed", nil
	}, graflow.WithRegistry(reg))
	gate := graflow.NewTask("approval_task", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "deploy_approval", Type: graflow.Approval, Timeout: 5 * time.Minute})
		if err != nil {
			return graflow.None{}, err
		}
		if resp.Approved {
			return graflow.None{}, ctx.NextTask(deploy)
		}
		ctx.CancelWorkflow("Deployment rejected")
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	h.at(time.Second, func() { h.update(signals.Reject("deploy_approval", "not today")) })
	_, err := h.run(wfOf("hitl_reject", gate))
	var ce *graflow.WorkflowCanceledError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "Deployment rejected", ce.Reason)
	assert.False(t, deployed)
}

// A 24-hour timeout costs no test time; the task handles the timeout with
// a default value.
func TestFeedbackTimeoutHandled(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	task := graflow.NewTask("config", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		runs.Add(1)
		resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "config_input", Type: graflow.Text, Timeout: 24 * time.Hour})
		if errors.Is(err, graflow.ErrFeedbackTimeout) {
			return "default", nil
		}
		return resp.Value, err
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	began := time.Now()
	res, err := h.run(wfOf("hitl_timeout", task))
	require.NoError(t, err)
	assert.Equal(t, "default", value[string](t, res))
	assert.EqualValues(t, 2, runs.Load())
	assert.GreaterOrEqual(t, h.elapsed(), 24*time.Hour)
	assert.Less(t, time.Since(began), 10*time.Second)
	assert.Equal(t, []bool{true, false}, h.awaiting)
}

// An unhandled timeout parks the run: still listed (timed out), still
// awaiting; a late answer — a day later — completes it.
func TestFeedbackUnhandledTimeoutThenLateAnswer(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs, nextRuns atomic.Int32
	ask := asker(reg, "request_deployment_approval", &runs, graflow.FeedbackRequest{ID: "approval", Type: graflow.Approval, Timeout: 100 * time.Millisecond})
	next := graflow.NewTask("execute_deployment", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		nextRuns.Add(1)
		return "DEPLOYED", nil
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	var parked []signals.Pending
	var o *updateOutcome
	h.at(24*time.Hour, func() {
		parked = h.pending()
		o = h.update(signals.Approve("approval"))
	})
	res, err := h.run(wfOf("hitl_late", graflow.Chain(ask, next)))
	require.NoError(t, err)
	assert.Equal(t, "DEPLOYED", value[string](t, res))
	require.Len(t, parked, 1)
	assert.True(t, parked[0].TimedOut)
	assert.Equal(t, "approval", parked[0].RequestID)
	require.NoError(t, o.rejected)
	assert.EqualValues(t, 3, runs.Load(), "asked, timed out (unhandled), answered")
	assert.EqualValues(t, 1, nextRuns.Load())
	assert.Equal(t, []bool{true, false}, h.awaiting, "stays awaiting across the timeout")
	assert.GreaterOrEqual(t, h.elapsed(), 24*time.Hour)
	var first string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("request_deployment_approval"), &first))
	assert.Equal(t, `approved=true reason="" by="" cycle=1`, first)
}

func TestFeedbackUpdateValidation(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	req := graflow.FeedbackRequest{ID: "model_selection", Type: graflow.Selection, Options: []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"}, Approvers: []string{"alice"}}
	h := newHITL(t, reg)
	bad := map[string]any{
		"unknown id":      signals.Answer{RequestID: "nope", Value: ptr("gpt-4o"), RespondedBy: "alice"},
		"not an option":   signals.Answer{RequestID: "model_selection", Value: ptr("gpt-5"), RespondedBy: "alice"},
		"not an approver": signals.Answer{RequestID: "model_selection", Value: ptr("gpt-4o"), RespondedBy: "mallory"},
		"no responder":    signals.Answer{RequestID: "model_selection", Value: ptr("gpt-4o")},
		"wrong field":     signals.Answer{RequestID: "model_selection", Approved: ptr(true), RespondedBy: "alice"},
		"wrong type":      map[string]any{"request_id": "model_selection", "value": 3, "responded_by": "alice"},
		"unknown field":   map[string]any{"request_id": "model_selection", "valeu": "gpt-4o", "responded_by": "alice"},
		"not an object":   "gpt-4o",
		"two values":      signals.Answer{RequestID: "model_selection", Values: []string{"gpt-4o", "gpt-4o-mini"}, RespondedBy: "alice"},
	}
	want := map[string]string{
		"unknown id":      `unknown request "nope" (open requests: model_selection)`,
		"not an option":   `"gpt-5" is not an option of request "model_selection" (options: gpt-4o, gpt-4o-mini, claude-3-5-sonnet)`,
		"not an approver": `"mallory" is not an approver of request "model_selection" (approvers: alice)`,
		"no responder":    `request "model_selection" takes answers from its approvers only (alice): say who answers with "responded_by"`,
		"wrong field":     `"approved" does not answer a selection request "model_selection" (it wants "value" or "values")`,
		"wrong type":      `"value" must be a string, got 3`,
		"unknown field":   `unknown field "valeu" in the answer (fields: request_id, approved, value, values, data, reason, responded_by)`,
		"not an object":   `the answer must be a JSON object like {"request_id": "...", "approved": true}, got "gpt-4o"`,
		"two values":      `selection request "model_selection" takes one value, got 2`,
	}
	outcomes := map[string]*updateOutcome{}
	var after []signals.Pending
	var good, again *updateOutcome
	h.at(time.Minute, func() {
		for name, a := range bad {
			outcomes[name] = h.update(a)
		}
	})
	h.at(2*time.Minute, func() {
		after = h.pending()
		good = h.update(signals.Answer{RequestID: "model_selection", Value: ptr("claude-3-5-sonnet"), RespondedBy: "alice"})
	})
	h.at(3*time.Minute, func() {
		again = h.update(signals.Answer{RequestID: "model_selection", Value: ptr("gpt-4o"), RespondedBy: "alice"})
	})
	ask := asker(reg, "select_model", &runs, req)
	wait := graflow.NewTask("linger", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		_, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "done", Type: graflow.Approval})
		return graflow.None{}, err
	}, graflow.WithRegistry(reg))
	h.at(4*time.Minute, func() { h.update(signals.Approve("done")) })
	res, err := h.run(wfOf("hitl_validation", graflow.Chain(ask, wait)))
	require.NoError(t, err)
	for name, msg := range want {
		o := outcomes[name]
		require.True(t, o.done, name)
		require.Error(t, o.rejected, name)
		var app *sdktemporal.ApplicationError
		require.ErrorAs(t, o.rejected, &app, name)
		assert.Equal(t, signals.RejectedType, app.Type(), name)
		assert.Equal(t, msg, app.Message(), name)
	}
	require.Len(t, after, 1, "rejected Updates apply nothing")
	assert.Empty(t, after[0].Rejected, "rejected Updates are not recorded: their sender got the error")
	require.NoError(t, good.rejected)
	assert.Equal(t, "claude-3-5-sonnet", good.resp.Value)
	require.Error(t, again.rejected)
	assert.Contains(t, again.rejected.Error(), `request "model_selection" was already answered by alice at `)
	var got string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("select_model"), &got))
	assert.Equal(t, "value=claude-3-5-sonnet", got)
	assert.EqualValues(t, 2, runs.Load())
}

// A Signal cannot be refused: an invalid one is recorded in the request's
// rejected list and never applied; a valid one then answers.
func TestFeedbackSignals(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	req := graflow.FeedbackRequest{ID: "model_selection", Type: graflow.Selection, Options: []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"}}
	h := newHITL(t, reg)
	var after []signals.Pending
	h.at(time.Minute, func() {
		h.signal(map[string]any{"request_id": "model_selection", "value": "gpt-5"})
		h.signal(map[string]any{"request_id": "model_selection", "approved": "yes"})
	})
	h.at(2*time.Minute, func() {
		after = h.pending()
		h.signal(map[string]any{"request_id": "model_selection", "value": "gpt-4o-mini", "responded_by": "bob"})
	})
	res, err := h.run(wfOf("hitl_signals", asker(reg, "select_model", &runs, req)))
	require.NoError(t, err)
	assert.Equal(t, "value=gpt-4o-mini", value[string](t, res))
	require.Len(t, after, 1)
	require.Len(t, after[0].Rejected, 2)
	assert.JSONEq(t, `{"request_id": "model_selection", "value": "gpt-5"}`, string(after[0].Rejected[0].Answer))
	assert.Equal(t, `"gpt-5" is not an option of request "model_selection" (options: gpt-4o, gpt-4o-mini, claude-3-5-sonnet)`, after[0].Rejected[0].Reason)
	assert.Equal(t, `"approved" must be true or false, got "yes"`, after[0].Rejected[1].Reason)
	assert.EqualValues(t, 2, runs.Load())
}

// An answer signaled before its request is made is kept and applied when
// the request comes: the second task does not wait.
func TestFeedbackEarlySignal(t *testing.T) {
	reg := graflow.NewRegistry()
	var runsA, runsB atomic.Int32
	a := asker(reg, "first", &runsA, graflow.FeedbackRequest{ID: "gate", Type: graflow.Approval})
	b := asker(reg, "second", &runsB, graflow.FeedbackRequest{ID: "note", Type: graflow.Text, Timeout: time.Hour})
	h := newHITL(t, reg)
	h.at(30*time.Second, func() {
		h.signal(map[string]any{"request_id": "note", "value": 42}) // bad: recorded when "note" is asked
		h.signal(signals.Text("note", "early bird"))
	})
	var done time.Duration
	h.at(time.Minute, func() { h.update(signals.Approve("gate")) })
	res, err := h.run(wfOf("hitl_early", graflow.Chain(a, b)))
	done = h.elapsed()
	require.NoError(t, err)
	assert.Equal(t, "value=early bird", value[string](t, res))
	assert.EqualValues(t, 2, runsB.Load())
	assert.Less(t, done, time.Hour, "the early answer is applied at once")
}

// ChannelKey: the value and the whole response are in the channel before
// the task runs again, and downstream tasks read them.
func TestFeedbackChannelKey(t *testing.T) {
	reg := graflow.NewRegistry()
	var seen atomic.Value
	input := graflow.NewTask("feedback_to_channel", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		_, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "user_input", Type: graflow.Text, Message: "Enter search query:", ChannelKey: "search_query"})
		if err != nil {
			return graflow.None{}, err
		}
		var q string
		if err := ctx.Channel().Get("search_query", &q); err != nil {
			return graflow.None{}, err
		}
		seen.Store(q)
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	search := graflow.NewTask("search", func(ctx *graflow.TaskContext, in struct {
		Query string `json:"search_query"`
	}) (string, error) {
		return "searching for: " + in.Query, nil
	}, graflow.WithRegistry(reg))
	multi := graflow.NewTask("tags", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		_, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "tags", Type: graflow.MultiSelection, Options: []string{"a", "b", "c"}, ChannelKey: "tags"})
		if err != nil {
			return graflow.None{}, err
		}
		_, err = ctx.RequestFeedback(graflow.FeedbackRequest{ID: "cfg", Type: graflow.Custom, ChannelKey: "cfg"})
		if err != nil {
			return graflow.None{}, err
		}
		_, err = ctx.RequestFeedback(graflow.FeedbackRequest{ID: "ok", Type: graflow.Approval, ChannelKey: "deployment_approved"})
		return graflow.None{}, err
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	h.at(time.Minute, func() { h.update(signals.Text("user_input", "temporal workflows")) })
	h.at(2*time.Minute, func() { h.update(signals.Select("tags", "c", "a")) })
	h.at(3*time.Minute, func() { h.update(signals.Custom("cfg", map[string]any{"replicas": 3})) })
	h.at(4*time.Minute, func() { h.update(signals.Approve("ok")) })
	res, err := h.run(wfOf("hitl_channel", graflow.Chain(input, search, multi)))
	require.NoError(t, err)
	assert.Equal(t, "temporal workflows", seen.Load())
	var got string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("search"), &got))
	assert.Equal(t, "searching for: temporal workflows", got)
	var q string
	require.NoError(t, res.Channel.Get("search_query", &q))
	assert.Equal(t, "temporal workflows", q)
	var whole graflow.FeedbackResponse
	require.NoError(t, res.Channel.Get("search_query"+graflow.FeedbackResponseKeySuffix, &whole))
	assert.Equal(t, "user_input", whole.RequestID)
	assert.Equal(t, "temporal workflows", whole.Value)
	assert.False(t, whole.RespondedAt.IsZero())
	var tags []string
	require.NoError(t, res.Channel.Get("tags", &tags))
	assert.Equal(t, []string{"c", "a"}, tags)
	var cfg map[string]any
	require.NoError(t, res.Channel.Get("cfg", &cfg))
	assert.Equal(t, map[string]any{"replicas": float64(3)}, cfg)
	var approved bool
	require.NoError(t, res.Channel.Get("deployment_approved", &approved))
	assert.True(t, approved)
	var full map[string]any
	require.NoError(t, res.Channel.Get("deployment_approved"+graflow.FeedbackResponseKeySuffix, &full))
	assert.Equal(t, true, full["approved"])
}

// Two requests in one task: the task suspends on each in turn, and the
// re-runs count as neither cycles nor steps.
func TestFeedbackTwoRequestsInOneTask(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	task := graflow.NewTask("two", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		runs.Add(1)
		a, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "first", Type: graflow.Text})
		if err != nil {
			return "", err
		}
		b, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "second", Type: graflow.Text})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s+%s cycle=%d", a.Value, b.Value, ctx.Cycle()), nil
	}, graflow.WithRegistry(reg), graflow.WithMaxCycles(1))
	h := newHITL(t, reg)
	var between []signals.Pending
	h.at(time.Minute, func() { h.update(signals.Text("first", "one")) })
	h.at(2*time.Minute, func() {
		between = h.pending()
		h.update(signals.Text("second", "two"))
	})
	wf := graflow.NewWorkflow("hitl_two", graflow.WithMaxSteps(1))
	wf.Add(task)
	res, err := h.run(wf)
	require.NoError(t, err)
	assert.Equal(t, "one+two cycle=1", value[string](t, res))
	assert.EqualValues(t, 3, runs.Load())
	require.Len(t, between, 1)
	assert.Equal(t, "second", between[0].RequestID)
	assert.Equal(t, []bool{true, false, true, false}, h.awaiting)
}

// Each branch of a static parallel group suspends on its own; answers in
// any order; the group merges both branches' writes.
func TestFeedbackInParallelBranches(t *testing.T) {
	reg := graflow.NewRegistry()
	mk := func(name string) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: name + "_ok", Type: graflow.Approval, ChannelKey: name + "_approved"})
			if err != nil {
				return "", err
			}
			_, err = ctx.Channel().Append("log", name)
			return fmt.Sprint(resp.Approved), err
		}, graflow.WithRegistry(reg))
	}
	after := graflow.NewTask("after", func(ctx *graflow.TaskContext, in struct {
		A bool `json:"a_approved"`
		B bool `json:"b_approved"`
	}) (string, error) {
		var log []string
		if err := ctx.Channel().Get("log", &log); err != nil {
			return "", err
		}
		return fmt.Sprintf("a=%v b=%v log=%v", in.A, in.B, log), nil
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	var both []signals.Pending
	h.at(time.Minute, func() {
		both = h.pending()
		h.update(signals.Approve("b_ok"))
	})
	h.at(2*time.Minute, func() { h.update(signals.Reject("a_ok", "no")) })
	res, err := h.run(wfOf("hitl_parallel", graflow.Chain(graflow.Parallel(mk("a"), mk("b")), after)))
	require.NoError(t, err)
	assert.Equal(t, "a=false b=true log=[b a]", value[string](t, res))
	require.Len(t, both, 2)
	assert.ElementsMatch(t, []string{"a_ok", "b_ok"}, []string{both[0].RequestID, both[1].RequestID})
	assert.Equal(t, []bool{true, false}, h.awaiting)
}

// Inside a dynamic child, the child run handles its own requests (answered
// by the child's workflow id).
func TestFeedbackInDynamicChild(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	x := asker(reg, "x", &runs, graflow.FeedbackRequest{ID: "child_q", Type: graflow.Text})
	y := graflow.NewTask("y", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "y", nil }, graflow.WithRegistry(reg))
	spawn := graflow.NewTask("spawn", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		return graflow.None{}, ctx.NextTask(graflow.Parallel(x, y).Named("fan"))
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	var errs []error
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "parent"})
	h.at(time.Minute, func() {
		errs = append(errs, h.env.UpdateWorkflowByID("parent/fan/x", signals.FeedbackName, "c1", &testsuite.TestUpdateCallback{
			OnReject:   func(err error) { errs = append(errs, err) },
			OnAccept:   func() {},
			OnComplete: func(_ any, err error) { errs = append(errs, err) },
		}, signals.Text("child_q", "from child")))
	})
	res, err := h.run(wfOf("hitl_child", spawn))
	require.NoError(t, err)
	for _, e := range errs {
		require.NoError(t, e)
	}
	var got string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("x"), &got))
	assert.Equal(t, "value=from child", got)
	assert.EqualValues(t, 2, runs.Load())
}

// Answers for a dynamic child's request sent to the parent (as the
// CheckpointManager does on resume) reach the child: in its input when it
// has not started, by signal when it runs. The task asks once.
func TestFeedbackForDynamicChild(t *testing.T) {
	for _, tc := range []struct {
		name string
		// gated: the group starts after an approval at 1 min; the answer
		// for the child comes at 30 s (before it starts) or 2 min.
		gated bool
		at    time.Duration
	}{
		{"kept until the child starts", true, 30 * time.Second},
		{"passed to the running child", false, 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := graflow.NewRegistry()
			var runs, gates atomic.Int32
			x := asker(reg, "x", &runs, graflow.FeedbackRequest{ID: "child_q", Type: graflow.Text})
			y := graflow.NewTask("y", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "y", nil }, graflow.WithRegistry(reg))
			spawn := graflow.NewTask("spawn", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
				return graflow.None{}, ctx.NextTask(graflow.Parallel(x, y).Named("fan"))
			}, graflow.WithRegistry(reg))
			var flow graflow.Node = spawn
			h := newHITL(t, reg)
			if tc.gated {
				flow = graflow.Chain(asker(reg, "gate", &gates, graflow.FeedbackRequest{ID: "gate", Type: graflow.Approval}), spawn)
				h.at(time.Minute, func() { h.update(signals.Approve("gate")) })
			}
			h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "parent"})
			h.at(tc.at, func() {
				h.env.SignalWorkflow("graflow.child-feedback", map[string]any{
					"child": "parent/fan/x", "request_id": "child_q", "answer": signals.Text("child_q", "given before"), "at": h.env.Now(),
				})
			})
			res, err := h.run(wfOf("hitl_for_child", flow))
			require.NoError(t, err)
			var got string
			require.NoError(t, res.Channel.Get(graflow.ResultKey("x"), &got))
			assert.Equal(t, "value=given before", got)
			assert.EqualValues(t, 2, runs.Load(), "asked once, run again with the answer")
		})
	}
}

// An invalid request fails the task at once; it does not suspend.
func TestFeedbackInvalidRequest(t *testing.T) {
	for name, req := range map[string]graflow.FeedbackRequest{
		"empty id":        {Type: graflow.Approval},
		"unknown type":    {ID: "x", Type: "yesno"},
		"no options":      {ID: "x", Type: graflow.Selection},
		"negative timout": {ID: "x", Type: graflow.Text, Timeout: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			reg := graflow.NewRegistry()
			var runs atomic.Int32
			h := newHITL(t, reg)
			_, err := h.run(wfOf("hitl_invalid", asker(reg, "ask", &runs, req)))
			var te *graflow.TaskError
			require.ErrorAs(t, err, &te)
			assert.Contains(t, err.Error(), "invalid feedback request")
			assert.EqualValues(t, 1, runs.Load())
			assert.Empty(t, h.awaiting)
		})
	}
}

// Deferred functions of a suspended task run; its writes are discarded.
func TestFeedbackSuspensionDiscardsWrites(t *testing.T) {
	reg := graflow.NewRegistry()
	var deferred atomic.Int32
	task := graflow.NewTask("writer", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		defer deferred.Add(1)
		if _, err := ctx.Channel().Append("runs", "run"); err != nil {
			return "", err
		}
		resp, err := ctx.RequestFeedback(graflow.FeedbackRequest{ID: "go", Type: graflow.Approval})
		return fmt.Sprint(resp.Approved), err
	}, graflow.WithRegistry(reg))
	h := newHITL(t, reg)
	h.at(time.Minute, func() { h.update(signals.Approve("go")) })
	res, err := h.run(wfOf("hitl_discard", task))
	require.NoError(t, err)
	assert.Equal(t, "true", value[string](t, res))
	assert.EqualValues(t, 2, deferred.Load())
	var runs []string
	require.NoError(t, res.Channel.Get("runs", &runs))
	assert.Equal(t, []string{"run"}, runs, "the suspended run's append is discarded")
}

// Task.Run has no executor to suspend the task.
func TestFeedbackNeedsAnExecutor(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	_, err := asker(reg, "ask", &runs, graflow.FeedbackRequest{ID: "x", Type: graflow.Approval}).Run(context.Background(), graflow.None{})
	require.ErrorIs(t, err, graflow.ErrFeedbackUnsupported)
}

// The examples answered as a person would (examples.AllInteractive).
func TestInteractiveExamplesInTestEnvironment(t *testing.T) {
	require.NotEmpty(t, examples.AllInteractive())
	for _, ex := range examples.AllInteractive() {
		t.Run(ex.Name, func(t *testing.T) {
			require.NotEmpty(t, ex.Answer)
			h := newHITL(t, graflow.DefaultRegistry)
			h.at(10*time.Second, func() { h.update(exampleAnswer(t, ex.Answer)) })
			got, err := ex.Printed(h.run(ex.Workflow(), ex.Options...))
			require.NoError(t, err)
			assert.Equal(t, ex.Output, got)
		})
	}
}

// exampleAnswer turns an example's `starter feedback` arguments into the
// answer the CLI sends.
func exampleAnswer(t *testing.T, args []string) signals.Answer {
	require.GreaterOrEqual(t, len(args), 2)
	verb, id, rest := args[0], args[1], args[2:]
	switch verb {
	case "approve":
		return signals.Approve(id)
	case "reject":
		return signals.Reject(id, "")
	case "text":
		require.Len(t, rest, 1)
		return signals.Text(id, rest[0])
	case "select":
		return signals.Select(id, rest...)
	}
	t.Fatalf("unknown verb %q", verb)
	return signals.Answer{}
}
