package activities_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
)

var quiet = slog.New(slog.DiscardHandler)

// runActivity runs the task runner for in.Task in the SDK's activity test
// environment, registered under the task's name as a worker does it. The
// runner has no Temporal client.
func runActivity(t *testing.T, reg *graflow.Registry, in wire.Input, opts ...activities.RunnerOption) (*wire.Output, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(quiet))
	env := suite.NewTestActivityEnvironment()
	runner := activities.NewRunner(reg, nil, quiet, opts...)
	env.RegisterActivityWithOptions(runner.Run, activity.RegisterOptions{Name: in.Task})
	val, err := env.ExecuteActivity(in.Task, in)
	if err != nil {
		return nil, err
	}
	var out wire.Output
	require.NoError(t, val.Get(&out))
	return &out, nil
}

func raw(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// applicationError returns the ApplicationError an activity failed with.
func applicationError(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	require.Error(t, err)
	require.True(t, temporal.IsApplicationError(err), "not an ApplicationError: %T %v", err, err)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app))
	return app
}

// taskError decodes err and returns the *graflow.TaskError it carries.
func taskError(t *testing.T, err error) *graflow.TaskError {
	t.Helper()
	var te *graflow.TaskError
	require.True(t, errors.As(failures.Decode(err), &te), "not a TaskError: %v", err)
	return te
}

type seen struct {
	TaskID    string
	Attempt   int
	Cycle     int
	MaxCycles int
}

func TestRunDecodesParamsAndReturnsOpsAndValue(t *testing.T) {
	reg := graflow.NewRegistry()
	type in struct {
		N    int    `json:"n"`
		Name string `graflow:"who"`
		Opt  *int   `json:"opt"`
	}
	var got seen
	var optWasNil bool
	graflow.NewTask("writer", func(ctx *graflow.TaskContext, p in) (map[string]any, error) {
		got = seen{ctx.TaskID(), ctx.Attempt(), ctx.Cycle(), ctx.MaxCycles()}
		optWasNil = p.Opt == nil
		if err := ctx.Channel().Set("greeting", "hi "+p.Name); err != nil {
			return nil, err
		}
		if _, err := ctx.Channel().Append("log", p.N); err != nil {
			return nil, err
		}
		if _, err := ctx.Channel().Add("count", 2.5); err != nil {
			return nil, err
		}
		return map[string]any{"double": p.N * 2}, nil
	}, graflow.WithRegistry(reg))

	out, err := runActivity(t, reg, wire.Input{
		Task: "writer", TaskID: "writer_1", Cycle: 2, MaxCycles: 5,
		Params: map[string]json.RawMessage{"n": raw(t, 7), "who": raw(t, "bob")},
		// Append and Add need the current value: the interpreter sends the
		// keys a task declares (graflow.WithReads) as Reads or Absent.
		ChannelView: wire.ChannelView{Absent: []string{"log", "count"}},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `{"double":14}`, string(out.Value))
	require.Len(t, out.Ops, 3)
	assert.Equal(t, wire.OpSet, out.Ops[0].Op)
	assert.Equal(t, "greeting", out.Ops[0].Key)
	assert.JSONEq(t, `"hi bob"`, string(out.Ops[0].Value))
	assert.Equal(t, wire.OpAppend, out.Ops[1].Op)
	assert.Equal(t, "log", out.Ops[1].Key)
	assert.JSONEq(t, `7`, string(out.Ops[1].Value))
	assert.Equal(t, wire.OpAdd, out.Ops[2].Op)
	assert.Equal(t, "count", out.Ops[2].Key)
	assert.Equal(t, 2.5, out.Ops[2].Delta)
	assert.Equal(t, seen{TaskID: "writer_1", Attempt: 1, Cycle: 2, MaxCycles: 5}, got)
	assert.True(t, optWasNil, "an absent parameter keeps its zero value")
}

func TestRunNoneOutputIsNullAndNoOps(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("noop", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	out, err := runActivity(t, reg, wire.Input{Task: "noop", TaskID: "noop"})
	require.NoError(t, err)
	assert.JSONEq(t, `null`, string(out.Value))
	assert.Empty(t, out.Ops)
}

func TestRunChannelReadsAndAbsentKeys(t *testing.T) {
	reg := graflow.NewRegistry()
	type result struct {
		Present    string
		Result     int
		AbsentErr  string
		AbsentIsNF bool
		HasAbsent  bool
	}
	graflow.NewTask("reader", func(ctx *graflow.TaskContext, _ graflow.None) (result, error) {
		var r result
		if err := ctx.Channel().Get("present", &r.Present); err != nil {
			return r, err
		}
		if err := ctx.Result("up", &r.Result); err != nil {
			return r, err
		}
		var v any
		err := ctx.Channel().Get("gone", &v)
		r.AbsentIsNF = errors.Is(err, graflow.ErrKeyNotFound)
		if err != nil {
			r.AbsentErr = err.Error()
		}
		r.HasAbsent = ctx.Channel().Has("gone")
		return r, nil
	}, graflow.WithRegistry(reg))

	out, err := runActivity(t, reg, wire.Input{
		Task: "reader", TaskID: "reader",
		ChannelView: wire.ChannelView{
			Reads: map[string]wire.ChannelEntry{
				"present":               {Value: raw(t, "here")},
				graflow.ResultKey("up"): {Value: raw(t, 42)},
			},
			Absent: []string{"gone"},
		},
	})
	require.NoError(t, err, "an Absent key must not be fetched (the runner has no client)")
	var r result
	require.NoError(t, json.Unmarshal(out.Value, &r))
	assert.Equal(t, "here", r.Present)
	assert.Equal(t, 42, r.Result)
	assert.True(t, r.AbsentIsNF, "absent key: %s", r.AbsentErr)
	assert.NotContains(t, r.AbsentErr, "client")
	assert.False(t, r.HasAbsent)
	assert.Empty(t, out.Ops, "reads record no ops")
}

// A key neither sent nor listed as absent is fetched by Query; a runner
// without a client (this test) cannot. That is not the task's error: the
// attempt fails retryable (Temporal runs it again), whether the body
// returned the read's error or ignored it.
func TestRunUnservedReadIsAnInfrastructureFailure(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignored=%v", ignore), func(t *testing.T) {
			reg := graflow.NewRegistry()
			graflow.NewTask("snoop", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
				var v string
				err := ctx.Channel().Get("elsewhere", &v)
				assert.ErrorIs(t, err, graflow.ErrChannelUnavailable)
				assert.NotErrorIs(t, err, graflow.ErrKeyNotFound, "a failed fetch is not a missing key")
				if ignore {
					return "guess", nil
				}
				return "", err
			}, graflow.WithRegistry(reg))
			_, err := runActivity(t, reg, wire.Input{Task: "snoop", TaskID: "snoop"})
			app := applicationError(t, err)
			assert.False(t, app.NonRetryable(), "Temporal retries the attempt")
			assert.Contains(t, err.Error(), "elsewhere")
			assert.Contains(t, err.Error(), `task "snoop"`)
			var te *graflow.TaskError
			assert.False(t, errors.As(failures.Decode(err), &te), "not the task's own error")
			assert.ErrorIs(t, failures.Decode(err), graflow.ErrChannelUnavailable)
		})
	}
}

// Append, Prepend and Add on a key whose value is not at hand need no read:
// they are recorded for the workflow to merge, and return 0.
func TestRunWritesNeedNoRead(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("blind_merge", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		n, _ := ctx.Channel().Append("list", 1)
		assert.Equal(t, 0, n)
		_, _ = ctx.Channel().Prepend("list", 0)
		sum, _ := ctx.Channel().Add("sum", 2)
		assert.Equal(t, 0.0, sum)
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	out, err := runActivity(t, reg, wire.Input{Task: "blind_merge", TaskID: "blind_merge"})
	require.NoError(t, err)
	require.Len(t, out.Ops, 3)
	assert.Equal(t, []string{wire.OpAppend, wire.OpPrepend, wire.OpAdd}, []string{out.Ops[0].Op, out.Ops[1].Op, out.Ops[2].Op})
	assert.Empty(t, out.Fetched)
}

// A write that fails on a value at hand and whose error the body ignores
// still fails the task, naming the key.
func TestRunIgnoredWriteErrorFailsTheTask(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("careless", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		_, _ = ctx.Channel().Append("name", "x")
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	_, err := runActivity(t, reg, wire.Input{Task: "careless", TaskID: "careless",
		ChannelView: wire.ChannelView{Complete: true, Reads: map[string]wire.ChannelEntry{"name": {Value: json.RawMessage(`"text"`)}}}})
	te := taskError(t, err)
	assert.Equal(t, "careless", te.TaskID)
	assert.ErrorIs(t, te, graflow.ErrNotAList)
	assert.Contains(t, err.Error(), `"name"`)
}

// Set and Delete do not need the current value: no fetch, no client needed.
func TestRunBlindWritesNeedNoClient(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("blind", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		if err := ctx.Channel().Set("a", 1); err != nil {
			return graflow.None{}, err
		}
		return graflow.None{}, ctx.Channel().Delete("b")
	}, graflow.WithRegistry(reg))
	out, err := runActivity(t, reg, wire.Input{Task: "blind", TaskID: "blind"})
	require.NoError(t, err)
	require.Len(t, out.Ops, 2)
	assert.Equal(t, wire.OpSet, out.Ops[0].Op)
	assert.Equal(t, wire.OpDelete, out.Ops[1].Op)
	assert.Equal(t, "b", out.Ops[1].Key)
}

func TestRunTaskNotRegistered(t *testing.T) {
	reg := graflow.NewRegistry()
	_, err := runActivity(t, reg, wire.Input{Task: "ghost", TaskID: "ghost_1"})
	app := applicationError(t, err)
	assert.True(t, app.NonRetryable())
	assert.Equal(t, "graflow.TaskNotRegistered", app.Type())
	assert.ErrorIs(t, failures.Decode(err), graflow.ErrTaskNotRegistered)
	assert.Contains(t, err.Error(), `"ghost"`)

	_, err = runActivity(t, reg, wire.Input{Task: "ghost", TaskID: "ghost_1"}, activities.WithBuild("etl:7"))
	assert.ErrorContains(t, err, `"ghost" is not registered on task queue "default-test-taskqueue" (worker build etl:7)`)
}

func TestRunParamThatDoesNotDecode(t *testing.T) {
	reg := graflow.NewRegistry()
	var ran atomic.Bool
	graflow.NewTask("count", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		ran.Store(true)
		return in.N, nil
	}, graflow.WithRegistry(reg))
	_, err := runActivity(t, reg, wire.Input{
		Task: "count", TaskID: "count_1",
		Params: map[string]json.RawMessage{"n": raw(t, "abc")},
	})
	app := applicationError(t, err)
	assert.True(t, app.NonRetryable(), "a bad parameter never gets better by retrying")
	assert.Equal(t, "graflow.TaskError", app.Type())
	te := taskError(t, err)
	assert.Equal(t, "count_1", te.TaskID)
	var pe *graflow.ParamError
	require.True(t, errors.As(failures.Decode(err), &pe))
	assert.Equal(t, "N", pe.Field)
	assert.Equal(t, "n", pe.Key)
	assert.Equal(t, "count", pe.Task)
	assert.False(t, ran.Load())
}

// The activity test environment always runs attempt 1 (it has no option to
// set the attempt); later attempts are covered through the interpreter in
// package temporal (TestTaskRetries).
func TestRunOwnErrorRetryability(t *testing.T) {
	tests := []struct {
		name    string
		attempt int
		want    int
	}{
		{"first attempt", 0, 1},
		{"first attempt, explicit", 1, 1},
		{"third attempt of the interpreter's retries", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := graflow.NewRegistry()
			graflow.NewTask("flaky", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
				return 0, errors.New("upstream down")
			}, graflow.WithRegistry(reg))
			_, err := runActivity(t, reg, wire.Input{Task: "flaky", TaskID: "flaky", Attempt: tt.attempt})
			app := applicationError(t, err)
			assert.True(t, app.NonRetryable(), "the interpreter, not Temporal, retries a task's own errors")
			assert.Equal(t, "graflow.TaskError", app.Type())
			te := taskError(t, err)
			assert.Equal(t, "flaky", te.TaskID)
			assert.Equal(t, tt.want, te.Attempt)
			require.Error(t, te.Err)
			assert.Equal(t, "upstream down", te.Err.Error())
		})
	}
}

func TestRunPanickingTask(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("boom", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		var m map[string]int
		//lint:ignore SA5000 the test needs a panicking body
		m["x"] = 1 // nil map write
		return 0, nil
	}, graflow.WithRegistry(reg))
	_, err := runActivity(t, reg, wire.Input{Task: "boom", TaskID: "boom"})
	app := applicationError(t, err)
	assert.True(t, app.NonRetryable())
	assert.Contains(t, err.Error(), "task panicked")
	assert.Contains(t, err.Error(), "nil map")
	te := taskError(t, err)
	assert.Equal(t, "boom", te.TaskID)
}

func TestRunOutputOverPayloadLimit(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	tests := []struct {
		name  string
		body  func(ctx *graflow.TaskContext) (string, error)
		names string
	}{
		{"result", func(ctx *graflow.TaskContext) (string, error) { return big, nil }, "the task's result"},
		{"channel write", func(ctx *graflow.TaskContext) (string, error) {
			return "small", ctx.Channel().Set("huge_blob", big)
		}, `channel key "huge_blob"`},
		{"many appends", func(ctx *graflow.TaskContext) (string, error) {
			chunk := strings.Repeat("y", 1<<20)
			for range 3 {
				if _, err := ctx.Channel().Append("chunks", chunk); err != nil {
					return "", err
				}
			}
			return "small", nil
		}, `channel key "chunks"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := graflow.NewRegistry()
			graflow.NewTask("producer", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
				return tt.body(ctx)
			}, graflow.WithRegistry(reg))
			// Retries left: the limit must still be final, never a retry loop.
			_, err := runActivity(t, reg, wire.Input{Task: "producer", TaskID: "producer_7", ChannelView: wire.ChannelView{Absent: []string{"chunks"}}})
			app := applicationError(t, err)
			assert.True(t, app.NonRetryable())
			assert.Contains(t, err.Error(), `task "producer_7"`)
			assert.Contains(t, err.Error(), tt.names)
			assert.Contains(t, err.Error(), fmt.Sprint(activities.MaxPayloadBytes))
			te := taskError(t, err)
			assert.Equal(t, "producer_7", te.TaskID)
		})
	}
}

func TestCheckInput(t *testing.T) {
	huge := raw(t, strings.Repeat("z", 3<<20))
	tests := []struct {
		name  string
		in    wire.Input
		names string // "" = no error
	}{
		{"small", wire.Input{TaskID: "t", Params: map[string]json.RawMessage{"a": raw(t, 1)}}, ""},
		{"huge parameter", wire.Input{TaskID: "t", Params: map[string]json.RawMessage{"a": raw(t, 1), "blob": huge}}, `parameter "blob"`},
		{"huge read", wire.Input{TaskID: "t", ChannelView: wire.ChannelView{Reads: map[string]wire.ChannelEntry{"doc": {Value: huge}}}}, `channel key "doc"`},
		{"many medium parameters", wire.Input{TaskID: "t", Params: map[string]json.RawMessage{
			"p1": raw(t, strings.Repeat("a", 1<<20)),
			"p2": raw(t, strings.Repeat("b", 1<<20)),
			"p3": raw(t, strings.Repeat("c", 1<<20+10)),
		}}, `parameter "p3"`},
		// The size counted is the values plus their names as named in the error.
		{"at the limit", wire.Input{TaskID: "t", Params: map[string]json.RawMessage{"x": make(json.RawMessage, activities.MaxPayloadBytes-len(`parameter "x"`))}}, ""},
		{"one byte over", wire.Input{TaskID: "t", Params: map[string]json.RawMessage{"x": make(json.RawMessage, activities.MaxPayloadBytes-len(`parameter "x"`)+1)}}, `parameter "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := activities.CheckInput(&tt.in)
			if tt.names == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), `the input of task "t"`)
			assert.Contains(t, err.Error(), tt.names)
		})
	}
}
