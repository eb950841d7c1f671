package temporal

// Human in the loop. A task that calls RequestFeedback without an answer
// suspends: its activity completes with Output.Suspended, and the
// interpreter records the request, marks the run with the search attribute
// GraflowAwaitingFeedback, and waits — on state set by the Update handler,
// the signal-draining goroutine or a durable timer — before it runs the
// task again (same step, same cycle) with the answer or a timeout mark in
// its input. In a task run's lifecycle (task.go):
//
//   - every attempt is sent the answers the run holds for the task;
//   - a suspended attempt makes the run await feedback (awaitAnswer);
//   - an attempt that left a timeout unhandled parks it until a late
//     answer comes, and one that handled it closes the request
//     (parkOnTimeout).

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/signals"
)

// maxEarlyAnswers bounds the signaled answers a run keeps for requests it
// has not made yet (and those it keeps for child runs not started yet);
// older ones are dropped first.
const maxEarlyAnswers = 100

// appendBounded appends v to list, dropping the oldest entry (returned)
// past maxEarlyAnswers.
func appendBounded[T any](list []T, v T) ([]T, *T) {
	list = append(list, v)
	if len(list) <= maxEarlyAnswers {
		return list, nil
	}
	return list[1:], &list[0]
}

// feedback is the run's HITL state.
type feedback struct {
	wire.FeedbackState
	signals workflow.ReceiveChannel
	// childSignals carry answers for dynamic child runs (childfeedback.go).
	childSignals workflow.ReceiveChannel
	// awaiting is the current value of the search attribute.
	awaiting bool
}

// registerFeedback sets up the feedback handlers of a run; hook of Interpret.
func (r *run) registerFeedback(ctx workflow.Context, in *wire.RunInput) error {
	r.fb = &feedback{}
	if in.Resume != nil && in.Resume.Feedback != nil {
		r.fb.FeedbackState = *in.Resume.Feedback
	}
	if in.Child != nil {
		r.fb.Early = append(r.fb.Early, in.Child.Early...)
		r.fb.Children = append(r.fb.Children, in.Child.Forward...)
	}
	if v, ok := workflow.GetTypedSearchAttributes(ctx).GetBool(signals.AwaitingFeedback); ok {
		r.fb.awaiting = v
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, signals.FeedbackName, r.updateFeedback, workflow.UpdateHandlerOptions{
		Validator:   r.validateFeedback,
		Description: "answer a feedback request: {request_id, approved|value|values|data, reason, responded_by}",
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandlerWithOptions(ctx, signals.PendingQuery, r.pendingFeedback, workflow.QueryHandlerOptions{
		Description: "the open feedback requests",
	}); err != nil {
		return err
	}
	r.fb.signals = workflow.GetSignalChannel(ctx, signals.FeedbackName)
	r.fb.childSignals = workflow.GetSignalChannel(ctx, childFeedbackSignal)
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := r.feedbackSignals(ctx)
		for {
			sel.Select(ctx)
		}
	})
	return nil
}

// feedbackSignals returns a selector that handles one signal of the run's
// feedback channels per Select.
func (r *run) feedbackSignals(ctx workflow.Context) workflow.Selector {
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(r.fb.signals, func(c workflow.ReceiveChannel, _ bool) {
		var raw json.RawMessage
		c.Receive(ctx, &raw)
		r.signaledFeedback(ctx, raw)
	})
	sel.AddReceive(r.fb.childSignals, func(c workflow.ReceiveChannel, _ bool) {
		var a wire.ChildAnswer
		c.Receive(ctx, &a)
		r.childFeedback(ctx, a)
	})
	return sel
}

// feedbackBeforeContinue takes in the signals already delivered, lets the
// running handlers finish and carries the state over; hook of continueAsNew.
func (r *run) feedbackBeforeContinue(ctx workflow.Context, st *wire.RunState) error {
	for sel := r.feedbackSignals(ctx); sel.HasPending(); {
		sel.Select(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if len(r.fb.Requests) > 0 || len(r.fb.Early) > 0 || len(r.fb.Children) > 0 {
		state := r.fb.FeedbackState
		st.Feedback = &state
	}
	return nil
}

func (f *feedback) find(id string) *wire.FeedbackRecord {
	for _, rec := range f.Requests {
		if rec.Request.ID == id {
			return rec
		}
	}
	return nil
}

// inputFor returns what task node receives about the run's requests: the
// answers to those it asked, and those that timed out unanswered.
func (f *feedback) inputFor(node string) *wire.FeedbackInput {
	var in *wire.FeedbackInput
	for _, rec := range f.Requests {
		if !slices.Contains(rec.Tasks, node) {
			continue
		}
		if in == nil {
			in = &wire.FeedbackInput{}
		}
		switch {
		case rec.Answer != nil:
			if in.Answers == nil {
				in.Answers = map[string]wire.FeedbackResponse{}
			}
			in.Answers[rec.Request.ID] = *rec.Answer
		case rec.TimedOut && !rec.Closed:
			in.TimedOut = append(in.TimedOut, rec.Request.ID)
		}
	}
	if in != nil && in.Answers == nil && in.TimedOut == nil {
		return nil
	}
	return in
}

// sync keeps the search attribute GraflowAwaitingFeedback current: true
// while any request is open.
func (r *run) syncAwaiting(ctx workflow.Context) {
	want := slices.ContainsFunc(r.fb.Requests, (*wire.FeedbackRecord).Open)
	if want == r.fb.awaiting || r.spec.NoAwaitingAttribute {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, signals.AwaitingFeedback.ValueSet(want)); err != nil {
		r.log.Warn("graflow: cannot set the search attribute "+signals.AwaitingAttribute, "error", err)
		return
	}
	r.fb.awaiting = want
}

// awaitAnswer records the request a task suspended on and sets the task
// to await its answer (or its timeout); an invalid request fails the task.
func (r *run) awaitAnswer(ctx workflow.Context, s *scope, t *taskRun, req *wire.FeedbackRequest) {
	node := t.node.ID
	if err := engine.FeedbackRequest(*req).Validate(); err != nil {
		t.fail(&graflow.TaskError{TaskID: node, Attempt: t.in.Attempt, Err: err})
		return
	}
	now := workflow.Now(ctx)
	rec := r.fb.find(req.ID)
	switch {
	case rec == nil:
		rec = &wire.FeedbackRecord{Request: *req}
		r.fb.Requests = append(r.fb.Requests, rec)
		fallthrough
	case rec.Closed:
		// A new request, or a request asked again after its task went on
		// without an answer: it waits afresh.
		rec.Request, rec.RequestedAt, rec.Scope = *req, now, s.id
		rec.Closed, rec.TimedOut, rec.Deadline, rec.Rejected = false, false, time.Time{}, nil
		if req.Timeout > 0 {
			rec.Deadline = now.Add(req.Timeout)
		}
	}
	if !slices.Contains(rec.Tasks, node) {
		rec.Tasks = append(rec.Tasks, node)
	}
	r.log.Info("graflow: task waits for feedback", "task_id", node, "request_id", req.ID, "type", req.Type, "timeout", req.Timeout)
	r.takeEarlyAnswers(ctx, rec)
	r.syncAwaiting(ctx)
	r.waitFor(ctx, t, taskAwaitingFeedback, []string{req.ID})
}

// parkOnTimeout settles an attempt that received timeout marks and ended
// with err (nil: it succeeded). One that returned ErrFeedbackTimeout
// unhandled parks the task: the run waits for a late answer, and the
// request stays listed, marked timed out. Otherwise the timed-out requests
// are closed: the task went on without them. It reports whether it parked
// the task.
func (r *run) parkOnTimeout(ctx workflow.Context, t *taskRun, err error) bool {
	if t.in.Feedback == nil || len(t.in.Feedback.TimedOut) == 0 {
		return false
	}
	var ids []string
	for _, id := range t.in.Feedback.TimedOut {
		if rec := r.fb.find(id); rec != nil && rec.Open() {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return false
	}
	if err != nil && errors.Is(err, graflow.ErrFeedbackTimeout) {
		r.log.Warn("graflow: task left a feedback timeout unhandled; the run waits for a late answer", "task_id", t.node.ID, "request_ids", ids)
		r.waitFor(ctx, t, taskParked, ids)
		return true
	}
	for _, id := range ids {
		r.fb.find(id).Closed = true
	}
	r.syncAwaiting(ctx)
	return false
}

// waitFor puts t in state (awaiting feedback or parked) on the requests
// ids; t.pending is ready once the task may run again: an answer to one of
// them, the first one's timeout (not when parked), or a stop of the run.
// The wait runs in a coroutine of its own, on workflow.Await over the state
// the handlers set.
func (r *run) waitFor(ctx workflow.Context, t *taskRun, state taskState, ids []string) {
	t.state = state
	parked := state == taskParked
	ready := func() bool {
		if r.stop != nil {
			return true
		}
		for _, id := range ids {
			if rec := r.fb.find(id); rec == nil || rec.Answer != nil || (!parked && rec.TimedOut) {
				return true
			}
		}
		return false
	}
	var timed *wire.FeedbackRecord
	if !parked {
		if rec := r.fb.find(ids[0]); rec != nil && !rec.TimedOut && !rec.Deadline.IsZero() {
			timed = rec
		}
	}
	f, set := workflow.NewFuture(ctx)
	t.pending = f
	workflow.Go(ctx, func(ctx workflow.Context) {
		set.Set(nil, r.awaitFeedback(ctx, t.node.ID, timed, ready))
	})
}

// awaitFeedback waits until ready, marking timed (when not nil) timed out
// if its deadline passes first.
func (r *run) awaitFeedback(ctx workflow.Context, taskID string, timed *wire.FeedbackRecord, ready func() bool) error {
	if timed == nil || ready() {
		return workflow.Await(ctx, ready)
	}
	ok := false
	if d := timed.Deadline.Sub(workflow.Now(ctx)); d > 0 {
		var err error
		ok, err = workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      d,
			TimerOptions: workflow.TimerOptions{Summary: timerSummary(&timed.Request)},
		}, ready)
		if err != nil {
			return err
		}
	}
	if !ok {
		timed.TimedOut = true
		r.log.Info("graflow: feedback timed out", "task_id", taskID, "request_id", timed.Request.ID, "timeout", timed.Request.Timeout)
	}
	return nil
}

// timerSummary names a feedback timer in the Web UI.
func timerSummary(req *wire.FeedbackRequest) string {
	s := fmt.Sprintf("feedback %s (%s)", req.ID, req.Type)
	if req.Message != "" {
		s += ": " + req.Message
	}
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

// rejectFeedback is the error of a refused Update.
func rejectFeedback(format string, args ...any) error {
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf(format, args...), signals.RejectedType, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// checkAnswer parses raw and finds the open request it answers.
func (r *run) checkAnswer(raw json.RawMessage) (*wire.FeedbackRecord, signals.Answer, error) {
	a, err := signals.ParseAnswer(raw)
	if err != nil {
		// Still name the request, so that a bad signal is recorded with it.
		var probe struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal(raw, &probe)
		a.RequestID = probe.RequestID
		return r.fb.find(probe.RequestID), a, err
	}
	rec := r.fb.find(a.RequestID)
	switch {
	case rec == nil:
		var open []string
		for _, rec := range r.fb.Requests {
			if rec.Open() {
				open = append(open, rec.Request.ID)
			}
		}
		if len(open) == 0 {
			return nil, a, fmt.Errorf("unknown request %q: the run has no open feedback request", a.RequestID)
		}
		return nil, a, fmt.Errorf("unknown request %q (open requests: %s)", a.RequestID, strings.Join(open, ", "))
	case rec.Answer != nil:
		by := ""
		if rec.Answer.RespondedBy != "" {
			by = " by " + rec.Answer.RespondedBy
		}
		return rec, a, fmt.Errorf("request %q was already answered%s at %s", a.RequestID, by, rec.Answer.RespondedAt.Format(time.RFC3339))
	case rec.Closed:
		return rec, a, fmt.Errorf("request %q timed out and its task went on without an answer", a.RequestID)
	}
	return rec, a, signals.Check(engine.FeedbackRequest(rec.Request), a)
}

// validateFeedback is the Update's validator: it refuses what
// updateFeedback would not apply, and changes nothing.
func (r *run) validateFeedback(_ workflow.Context, raw json.RawMessage) error {
	if _, _, err := r.checkAnswer(raw); err != nil {
		return rejectFeedback("%v", err)
	}
	return nil
}

// updateFeedback applies a validated answer and returns the response the
// task will receive.
func (r *run) updateFeedback(ctx workflow.Context, raw json.RawMessage) (graflow.FeedbackResponse, error) {
	rec, a, err := r.checkAnswer(raw) // again: another answer may have come since validation
	if err != nil {
		return graflow.FeedbackResponse{}, rejectFeedback("%v", err)
	}
	resp := signals.Response(engine.FeedbackRequest(rec.Request), a, workflow.Now(ctx))
	r.applyAnswer(ctx, rec, resp)
	return resp, nil
}

// signaledFeedback applies a signaled answer, or records why it cannot be
// applied; an answer to a request not made yet is kept for it.
func (r *run) signaledFeedback(ctx workflow.Context, raw json.RawMessage) {
	rec, a, err := r.checkAnswer(raw)
	switch {
	case err == nil:
		r.applyAnswer(ctx, rec, signals.Response(engine.FeedbackRequest(rec.Request), a, workflow.Now(ctx)))
	case rec != nil:
		rec.Rejected = append(rec.Rejected, wire.Rejection{Answer: raw, Reason: err.Error()})
		r.log.Warn("graflow: signaled feedback rejected", "request_id", rec.Request.ID, "reason", err)
	case a.RequestID != "":
		// Not asked yet: kept until the request is made.
		var dropped *wire.EarlyAnswer
		r.fb.Early, dropped = appendBounded(r.fb.Early, wire.EarlyAnswer{RequestID: a.RequestID, Answer: raw, At: workflow.Now(ctx)})
		if dropped != nil {
			r.log.Warn("graflow: too many answers to unknown requests; dropping the oldest", "request_id", dropped.RequestID)
		}
	default:
		r.log.Warn("graflow: signaled feedback ignored", "reason", err, "answer", string(raw))
	}
}

// takeEarlyAnswers applies the first valid answer signaled before rec was
// requested; the others are recorded as rejected.
func (r *run) takeEarlyAnswers(ctx workflow.Context, rec *wire.FeedbackRecord) {
	kept := r.fb.Early[:0]
	for _, e := range r.fb.Early {
		if e.RequestID != rec.Request.ID {
			kept = append(kept, e)
			continue
		}
		a, err := signals.ParseAnswer(e.Answer)
		switch {
		case err != nil:
		case rec.Answer != nil:
			err = fmt.Errorf("request %q was already answered", rec.Request.ID)
		default:
			err = signals.Check(engine.FeedbackRequest(rec.Request), a)
		}
		if err != nil {
			rec.Rejected = append(rec.Rejected, wire.Rejection{Answer: e.Answer, Reason: err.Error()})
			continue
		}
		r.applyAnswer(ctx, rec, signals.Response(engine.FeedbackRequest(rec.Request), a, e.At))
	}
	r.fb.Early = kept
}

// applyAnswer stores an answer and writes its ChannelKey into the scope of
// the waiting task, before the task runs again.
func (r *run) applyAnswer(ctx workflow.Context, rec *wire.FeedbackRecord, resp graflow.FeedbackResponse) {
	w := engine.WireFeedbackResponse(resp)
	rec.Answer = &w
	r.log.Info("graflow: feedback answered", "request_id", rec.Request.ID, "responded_by", resp.RespondedBy)
	if key := rec.Request.ChannelKey; key != "" {
		if err := r.writeAnswer(rec, resp); err != nil {
			r.log.Error("graflow: cannot write the answer to the channel", "request_id", rec.Request.ID, "key", key, "error", err)
		}
	}
	r.syncAwaiting(ctx)
}

func (r *run) writeAnswer(rec *wire.FeedbackRecord, resp graflow.FeedbackResponse) error {
	s := r.scopes[rec.Scope]
	if s == nil {
		return fmt.Errorf("scope %q is not running", rec.Scope)
	}
	value, err := json.Marshal(resp.ChannelValue(graflow.FeedbackType(rec.Request.Type)))
	if err != nil {
		return err
	}
	whole, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	key := rec.Request.ChannelKey
	return engine.ApplyOps(s.ch, []wire.ChannelOp{
		{Op: wire.OpSet, Key: key, Value: value},
		{Op: wire.OpSet, Key: key + graflow.FeedbackResponseKeySuffix, Value: whole},
	})
}

// pendingFeedback answers the pending-feedback Query: the open requests,
// in the order they were made.
func (r *run) pendingFeedback() ([]signals.Pending, error) {
	out := []signals.Pending{}
	for _, rec := range r.fb.Requests {
		if !rec.Open() {
			continue
		}
		p := signals.Pending{
			RequestID:   rec.Request.ID,
			Type:        graflow.FeedbackType(rec.Request.Type),
			Message:     rec.Request.Message,
			Options:     slices.Clone(rec.Request.Options),
			TimedOut:    rec.TimedOut,
			Rejected:    rejections(rec.Rejected),
			RequestedAt: rec.RequestedAt,
			ChannelKey:  rec.Request.ChannelKey,
			Approvers:   rec.Request.Approvers,
			Metadata:    rec.Request.Metadata,
		}
		if len(rec.Tasks) > 0 {
			p.TaskID = rec.Tasks[len(rec.Tasks)-1]
		}
		if p.Options == nil {
			p.Options = []string{}
		}
		if !rec.Deadline.IsZero() {
			d := rec.Deadline
			p.Deadline = &d
		}
		out = append(out, p)
	}
	return out, nil
}

// rejections converts the recorded rejections of a request for the
// pending-feedback Query (never null).
func rejections(rs []wire.Rejection) []signals.Rejection {
	out := make([]signals.Rejection, len(rs))
	for i, r := range rs {
		out[i] = signals.Rejection{Answer: r.Answer, Reason: r.Reason}
	}
	return out
}
