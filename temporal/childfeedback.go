package temporal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/signals"
)

// Answers to requests of dynamic child runs, kept across a resume.
//
// A child run's requests are answered by the child's workflow id. When the
// parent is resumed from a checkpoint taken before the child started, the
// child runs again as a new run, which has not received those answers:
// the CheckpointManager collects them from the old child runs and sends
// them to the resumed parent on childFeedbackSignal. The parent hands each
// one to the child it is for: in the child's input when the child starts
// later, by signal when it is already running. The child's own children
// get theirs the same way, through it.

// childFeedbackSignal carries a childAnswer to a run.
const childFeedbackSignal = "graflow.child-feedback"

// childFeedback hands a to the run it is for: this run, a running child
// that is it or one of its ancestors, or else, kept, the child when it
// starts.
func (r *run) childFeedback(ctx workflow.Context, a wire.ChildAnswer) {
	if a.Child == workflow.GetInfo(ctx).WorkflowExecution.ID {
		r.signaledFeedback(ctx, a.Answer)
		return
	}
	for id := a.Child; ; {
		if f, ok := r.children[id]; ok {
			workflow.Go(ctx, func(ctx workflow.Context) {
				if err := f.SignalChildWorkflow(ctx, childFeedbackSignal, a).Get(ctx, nil); err != nil {
					r.log.Warn("graflow: cannot pass an answer to a child run", "child", id, "request_id", a.RequestID, "error", err)
				}
			})
			return
		}
		i := strings.LastIndexByte(id, '/')
		if i < 0 {
			break
		}
		id = id[:i]
	}
	var dropped *wire.ChildAnswer
	if r.fb.Children, dropped = appendBounded(r.fb.Children, a); dropped != nil {
		r.log.Warn("graflow: too many answers for child runs; dropping the oldest", "child", dropped.Child, "request_id", dropped.RequestID)
	}
}

// takeChildAnswers removes and returns the kept answers of child id (early)
// and of its descendants (forward).
func (f *feedback) takeChildAnswers(id string) (early []wire.EarlyAnswer, forward []wire.ChildAnswer) {
	kept := f.Children[:0]
	for _, a := range f.Children {
		switch {
		case a.Child == id:
			early = append(early, a.EarlyAnswer)
		case strings.HasPrefix(a.Child, id+"/"):
			forward = append(forward, a)
		default:
			kept = append(kept, a)
		}
	}
	f.Children = kept
	return early, forward
}

// childAnswers returns the answers given to the child runs children and
// to their descendants: their feedback signals and the feedback Updates
// they accepted, in order. Answers a parent passed down on
// childFeedbackSignal are the parent's own signals, not counted twice.
// They are decoded with the manager's data converter.
func (m *CheckpointManager) childAnswers(ctx context.Context, children []*commonpb.WorkflowExecution) ([]wire.ChildAnswer, error) {
	var out []wire.ChildAnswer
	for _, c := range children {
		got, err := m.receivedAfter(ctx, c.GetWorkflowId(), c.GetRunId(), 0)
		if err != nil {
			return nil, err
		}
		for _, s := range got.signals {
			if s.name != signals.FeedbackName {
				continue
			}
			var raw json.RawMessage
			if err := m.dc.FromPayloads(s.input, &raw); err != nil {
				return nil, fmt.Errorf("graflow: an answer to child %s run %s: %w", c.GetWorkflowId(), c.GetRunId(), err)
			}
			a, err := signals.ParseAnswer(raw)
			if err != nil {
				continue // refused by the child too
			}
			out = append(out, wire.ChildAnswer{Child: c.GetWorkflowId(), EarlyAnswer: wire.EarlyAnswer{RequestID: a.RequestID, Answer: raw, At: s.at}})
		}
		deeper, err := m.childAnswers(ctx, got.children)
		if err != nil {
			return nil, err
		}
		out = append(out, deeper...)
	}
	return out, nil
}
