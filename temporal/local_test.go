package temporal_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// Tasks run as local activities (graflow.WithLocal, here for a whole
// workflow through WithDefaultTaskOptions) behave like regular tasks.

func localWorkflow(name string, nodes ...graflow.Node) *graflow.Workflow {
	wf := graflow.NewWorkflow(name, graflow.WithDefaultTaskOptions(graflow.WithLocal()))
	wf.Add(nodes...)
	return wf
}

// Parameters, upstream results, reads of keys nobody declared (also a
// value far over the channel view's cut) and every kind of write.
func TestLocalParamsChannelAndWrites(t *testing.T) {
	reg := graflow.NewRegistry()
	big := strings.Repeat("x", 100_000)
	first := graflow.NewTask("first", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		var doc string
		if err := ctx.Channel().Get("doc", &doc); err != nil {
			return 0, err
		}
		ctx.Channel().Append("log", len(doc))
		ctx.Channel().Add("sum", float64(in.N))
		ctx.Channel().Set("flag", true)
		ctx.Channel().Delete("gone")
		return in.N * 2, nil
	}, graflow.WithRegistry(reg))
	second := graflow.NewTask("second", func(ctx *graflow.TaskContext, in struct {
		First int  `json:"first"`
		Flag  bool `json:"flag"`
	}) (string, error) {
		n, err := ctx.Channel().Append("log", "second")
		return fmt.Sprintf("%d %v %d", in.First, in.Flag, n), err
	}, graflow.WithRegistry(reg))
	res, err := runInSuite(t, reg, localWorkflow("local_channel", graflow.Chain(first.Instance("first", graflow.Params{"n": 21}), second)),
		graflow.InitialChannel(map[string]any{"doc": big, "gone": 1, "sum": 1}))
	require.NoError(t, err)
	assert.Equal(t, "42 true 2", value[string](t, res))
	var log []any
	require.NoError(t, res.Channel.Get("log", &log))
	assert.Equal(t, []any{100000.0, "second"}, log)
	var sum float64
	require.NoError(t, res.Channel.Get("sum", &sum))
	assert.Equal(t, 22.0, sum)
	assert.False(t, res.Channel.Has("gone"))
}

func TestLocalRetries(t *testing.T) {
	reg := graflow.NewRegistry()
	var runs atomic.Int32
	flaky := graflow.NewTask("local_flaky", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		runs.Add(1)
		if ctx.Attempt() < 3 {
			return 0, fmt.Errorf("attempt %d failed", ctx.Attempt())
		}
		return ctx.Attempt(), nil
	}, graflow.WithRegistry(reg), graflow.WithMaxRetries(2), graflow.WithRetryPolicy(graflow.RetryPolicy{InitialInterval: time.Millisecond}))
	res, err := runInSuite(t, reg, localWorkflow("local_retries", flaky))
	require.NoError(t, err)
	assert.Equal(t, 3, value[int](t, res))
	assert.Equal(t, int32(3), runs.Load())

	never := graflow.NewTask("local_never", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		return 0, graflow.NonRetryable(errors.New("broken"))
	}, graflow.WithRegistry(reg), graflow.WithMaxRetries(5))
	_, err = runInSuite(t, reg, localWorkflow("local_nonretryable", never))
	var te *graflow.TaskError
	require.True(t, errors.As(err, &te), "%v", err)
	assert.Equal(t, "local_never", te.TaskID)
	assert.Equal(t, 1, te.Attempt)
}

// A local attempt that outlives WithTimeout is retried as an
// infrastructure failure; the next attempt succeeds.
func TestLocalTimeout(t *testing.T) {
	reg := graflow.NewRegistry()
	slow := graflow.NewTask("local_slow", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		if ctx.Attempt() == 1 {
			select {
			case <-time.After(5 * time.Second):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		return ctx.Attempt(), nil
	}, graflow.WithRegistry(reg), graflow.WithTimeout(200*time.Millisecond))
	res, err := runInSuite(t, reg, localWorkflow("local_timeout", slow))
	require.NoError(t, err)
	assert.Equal(t, 2, value[int](t, res))
}

// NextTask, Goto, NextIteration, TerminateWorkflow and CancelWorkflow.
func TestLocalDynamicControlFlow(t *testing.T) {
	reg := graflow.NewRegistry()
	rec := &runLog{}
	step := graflow.NewTask("local_step", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		rec.add(ctx.TaskID())
		return ctx.TaskID(), nil
	}, graflow.WithRegistry(reg))
	loop := graflow.NewTask("local_loop", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		rec.add(fmt.Sprintf("loop %d", in.N))
		if in.N < 3 {
			return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
		}
		return in.N, ctx.NextTask(step.Instance("spawned", nil))
	}, graflow.WithRegistry(reg))
	res, err := runInSuite(t, reg, localWorkflow("local_flow", graflow.Chain(loop.Instance("loop", graflow.Params{"n": 1}), step.Instance("after", nil))))
	require.NoError(t, err)
	assert.Equal(t, "after", value[string](t, res))
	assert.Equal(t, []string{"loop 1", "loop 2", "loop 3", "spawned", "after"}, rec.all())

	jump := graflow.NewTask("local_goto", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		return graflow.None{}, ctx.Goto(step.Instance("elsewhere", nil))
	}, graflow.WithRegistry(reg))
	rec = &runLog{}
	res, err = runInSuite(t, reg, localWorkflow("local_goto", graflow.Chain(jump.Instance("jump", nil), step.Instance("skipped", nil))))
	require.NoError(t, err)
	assert.Equal(t, []string{"elsewhere"}, rec.all())
	assert.Equal(t, "elsewhere", value[string](t, res))

	stop := graflow.NewTask("local_terminate", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		ctx.TerminateWorkflow("early")
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	res, err = runInSuite(t, reg, localWorkflow("local_terminate", graflow.Chain(stop, step.Instance("never", nil))))
	require.NoError(t, err)
	assert.Equal(t, "early", value[string](t, res))

	cancel := graflow.NewTask("local_cancel", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
		ctx.CancelWorkflow("no")
		return graflow.None{}, nil
	}, graflow.WithRegistry(reg))
	_, err = runInSuite(t, reg, localWorkflow("local_cancel", graflow.Chain(cancel, step.Instance("never2", nil))))
	var ce *graflow.WorkflowCanceledError
	require.True(t, errors.As(err, &ce), "%v", err)
	assert.Equal(t, "no", ce.Reason)
}

// Static groups and a dynamic group of local members (child workflows of
// batches) merge every write.
func TestLocalGroups(t *testing.T) {
	reg := graflow.NewRegistry()
	leaf := graflow.NewTask("local_leaf", func(ctx *graflow.TaskContext, in struct {
		I int `json:"i"`
	}) (int, error) {
		ctx.Channel().Add("count", 1)
		ctx.Channel().Append("items", in.I)
		return in.I, nil
	}, graflow.WithRegistry(reg))
	fan := graflow.NewTask("local_fan", func(ctx *graflow.TaskContext, in struct {
		Width int `json:"width"`
	}) (int, error) {
		nodes := make([]graflow.Node, in.Width)
		for i := range nodes {
			nodes[i] = leaf.Instance(fmt.Sprintf("leaf_%03d", i), graflow.Params{"i": i})
		}
		return in.Width, ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...))
	}, graflow.WithRegistry(reg))
	static := make([]graflow.Node, 20)
	for i := range static {
		static[i] = leaf.Instance(fmt.Sprintf("static_%02d", i), graflow.Params{"i": 1000 + i})
	}
	res, err := runInSuite(t, reg, localWorkflow("local_groups", graflow.Chain(graflow.Parallel(static[0], static[1], static[2:]...), fan.Instance("fan", graflow.Params{"width": 120}))))
	require.NoError(t, err)
	var count float64
	require.NoError(t, res.Channel.Get("count", &count))
	assert.Equal(t, 140.0, count)
	var items []int
	require.NoError(t, res.Channel.Get("items", &items))
	assert.Len(t, items, 140)
}

// WithoutLocal opts one task out of the workflow's WithLocal default; a
// task routed to a task queue never runs locally.
func TestLocalOptOut(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name string
		opts wire.TaskOptions
		want bool
	}{
		{"default", wire.TaskOptions{}, false},
		{"WithLocal", wire.TaskOptions{Local: &yes}, true},
		{"WithLocal and a task queue", wire.TaskOptions{Local: &yes, TaskQueue: "gpu"}, false},
		{"WithoutLocal over a local default", wire.TaskOptions{Local: &no}.WithDefaults(wire.TaskOptions{Local: &yes}), false},
		{"a local default", wire.TaskOptions{}.WithDefaults(wire.TaskOptions{Local: &yes}), true},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.opts.IsLocal(), tc.name)
	}
}
