package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// FeedbackInput is what the interpreter sends a task about the run's
// feedback requests: the answers it holds for requests this task made, and
// the requests that timed out unanswered.
type FeedbackInput struct {
	Answers  map[string]graflow.FeedbackResponse `json:"answers,omitempty"`
	TimedOut []string                            `json:"timed_out,omitempty"`
}

// feedbackContext returns ctx carrying the task's feedback session.
func feedbackContext(ctx context.Context, in *FeedbackInput) (context.Context, *graflow.FeedbackSession) {
	s := &graflow.FeedbackSession{}
	if in != nil {
		s.Answers, s.TimedOut = in.Answers, in.TimedOut
	}
	return graflow.WithFeedbackSession(ctx, s), s
}

// errGoexit is the error of a task body that ended its goroutine with
// runtime.Goexit without requesting feedback (e.g. testing.T.FailNow).
var errGoexit = errors.New("task body called runtime.Goexit")

// invoke runs the task body in a goroutine of its own, so that
// TaskContext.RequestFeedback can end it with runtime.Goexit (deferred
// functions run). A panic becomes the task's error; a Goexit is reported
// by exited (the caller tells a suspension from a stray Goexit).
func invoke(task *graflow.TaskInfo, tc *graflow.TaskContext, params map[string]json.RawMessage) (value json.RawMessage, exited bool, err error) {
	done := make(chan struct{})
	go func() {
		returned := false
		defer func() {
			if p := recover(); p != nil {
				err, returned = fmt.Errorf("task panicked: %v", p), true
			}
			exited = !returned
			close(done)
		}()
		value, err = task.Invoke(tc, params)
		returned = true
	}()
	<-done
	return value, exited, err
}
