package activities

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
)

// errGoexit is the error of a task body that ended its goroutine with
// runtime.Goexit without requesting feedback (e.g. testing.T.FailNow).
var errGoexit = errors.New("task body called runtime.Goexit")

// invoke runs the task body in a goroutine of its own, so that
// TaskContext.RequestFeedback can end it with runtime.Goexit (deferred
// functions run). A panic becomes the task's error; a Goexit is reported
// by exited (the caller tells a suspension from a stray Goexit).
func invoke(reg *graflow.Registry, task string, tc *graflow.TaskContext, params map[string]json.RawMessage) (value json.RawMessage, exited bool, err error) {
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
		value, err = engine.Invoke(reg, task, tc, params)
		returned = true
	}()
	<-done
	return value, exited, err
}
