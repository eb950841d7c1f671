package conformance

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/graflow-go/graflow/graflow"
)

// Flaky fails until its attempt reaches SucceedOn, then returns the attempt.
// With Final it marks its error graflow.NonRetryable.
var Flaky = graflow.NewTask("c_flaky", func(ctx *graflow.TaskContext, in struct {
	SucceedOn int  `json:"succeed_on"`
	Final     bool `json:"final"`
}) (int, error) {
	if ctx.Attempt() < in.SucceedOn {
		err := fmt.Errorf("attempt %d failed", ctx.Attempt())
		if in.Final {
			err = graflow.NonRetryable(err)
		}
		return 0, err
	}
	return ctx.Attempt(), nil
})

// CrashQueue is the task queue of the crash test's worker processes.
const CrashQueue = "crash"

// SlowWriter appends "start <attempt>" to the file Path, works for Seconds
// (heartbeating automatically), then appends its id to the channel list
// "writes" and "done <attempt>" to the file.
var SlowWriter = graflow.NewTask("c_slow_writer", slowWrite, graflow.WithHeartbeatTimeout(2*time.Second), graflow.WithTaskQueue(CrashQueue))

// LocalCrashQueue is the task queue of the local crash test's workers: the
// run and its local task run there.
const LocalCrashQueue = "crash-local"

// SlowWriterLocal is SlowWriter as a local activity (on the run's worker).
var SlowWriterLocal = graflow.NewTask("c_slow_writer_local", slowWrite, graflow.WithLocal())

type slowWriteIn struct {
	Path    string `json:"path"`
	Seconds int    `json:"seconds"`
}

func slowWrite(ctx *graflow.TaskContext, in slowWriteIn) (int, error) {
	if err := appendLine(in.Path, fmt.Sprintf("start %d", ctx.Attempt())); err != nil {
		return 0, err
	}
	select {
	case <-time.After(time.Duration(in.Seconds) * time.Second):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if _, err := ctx.Channel().Append("writes", ctx.TaskID()); err != nil {
		return 0, err
	}
	return ctx.Attempt(), appendLine(in.Path, fmt.Sprintf("done %d", ctx.Attempt()))
}

func appendLine(path, line string) error {
	if path == "" {
		return errors.New("no path")
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	return errors.Join(err, f.Close())
}

// SpreadQueue is the task queue of the distribution test's workers.
const SpreadQueue = "spread"

// Pid works for 300 ms and returns the process id of the worker that ran it.
var Pid = graflow.NewTask("c_pid", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
	select {
	case <-time.After(300 * time.Millisecond):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return os.Getpid(), nil
}, graflow.WithTaskQueue(SpreadQueue))

// DrainQueue and DrainShortQueue are the task queues of the graceful
// shutdown tests' worker processes (one per test, so they can run together).
const (
	DrainQueue      = "drain"
	DrainShortQueue = "drain-short"
)

// SlowDrain is SlowWriter on DrainQueue.
var SlowDrain = graflow.NewTask("c_slow_drain", slowWrite, graflow.WithHeartbeatTimeout(2*time.Second), graflow.WithTaskQueue(DrainQueue))

// SlowDrainShort is SlowWriter on DrainShortQueue.
var SlowDrainShort = graflow.NewTask("c_slow_drain_short", slowWrite, graflow.WithHeartbeatTimeout(2*time.Second), graflow.WithTaskQueue(DrainShortQueue))

// WorkerPid returns the process id of the worker that ran it, on the run's
// own task queue.
var WorkerPid = graflow.NewTask("c_worker_pid", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
	return os.Getpid(), nil
})
