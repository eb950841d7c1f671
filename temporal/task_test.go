package temporal_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
)

func TestTaskInputOverPayloadLimit(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	tests := []struct {
		name  string
		opts  []graflow.TaskOption
		names string
	}{
		{"bound to a parameter", nil, `parameter "big"`},
		{"declared read", []graflow.TaskOption{graflow.WithReads("doc")}, `channel key "doc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			consume := graflow.NewTask("consume", func(ctx *graflow.TaskContext, in struct {
				Big string `json:"big"`
			}) (int, error) {
				tb.add("consume")
				return len(in.Big), nil
			}, append(tt.opts, graflow.WithRegistry(tb.reg), graflow.WithMaxRetries(3))...)
			wf := graflow.NewWorkflow("too_big")
			wf.Add(consume)
			initial := map[string]any{"doc": big}
			if tt.opts == nil {
				initial = map[string]any{"big": big}
			}
			_, err := tb.run(t, wf, graflow.InitialChannel(initial))
			require.Error(t, err)
			var te *graflow.TaskError
			require.True(t, errors.As(err, &te), "not a TaskError: %T %v", err, err)
			assert.Equal(t, "consume", te.TaskID)
			assert.Contains(t, err.Error(), tt.names)
			assert.Contains(t, err.Error(), `the input of task "consume"`)
			assert.Zero(t, tb.count("consume"), "the task must not run")
		})
	}
}

func TestTaskOutputOverPayloadLimitFailsRun(t *testing.T) {
	tb := newTestbed()
	var runs atomic.Int32
	huge := graflow.NewTask("huge", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		runs.Add(1)
		return strings.Repeat("y", 3<<20), nil
	}, graflow.WithRegistry(tb.reg), graflow.WithMaxRetries(3))
	wf := graflow.NewWorkflow("too_big_out")
	wf.Add(graflow.Chain(huge, tb.task("after")))
	_, err := tb.run(t, wf)
	require.Error(t, err)
	var te *graflow.TaskError
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.Equal(t, "huge", te.TaskID)
	assert.Contains(t, err.Error(), "the task's result")
	assert.Equal(t, int32(1), runs.Load(), "over the limit is final, not retried")
	assert.Zero(t, tb.count("after"))
}

func TestActivityOptionsReflectTaskOptions(t *testing.T) {
	tb := newTestbed()
	type seenInfo struct {
		queue     string
		heartbeat time.Duration
		timeout   time.Duration
		typ       string
	}
	var mu sync.Mutex
	seen := map[string]seenInfo{}
	mk := func(name string, opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			info := activity.GetInfo(ctx)
			mu.Lock()
			seen[name] = seenInfo{info.TaskQueue, info.HeartbeatTimeout, info.Deadline.Sub(info.StartedTime), info.ActivityType.Name}
			mu.Unlock()
			return name, nil
		}, append(opts, graflow.WithRegistry(tb.reg))...)
	}
	gpu := mk("gpu_task", graflow.WithTaskQueue("gpu"), graflow.WithHeartbeatTimeout(7*time.Second), graflow.WithTimeout(3*time.Minute))
	plain := mk("plain_task")
	wf := graflow.NewWorkflow("routing")
	wf.Add(graflow.Chain(plain, gpu.Instance("gpu_1", nil)))
	_, err := tb.run(t, wf)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, seen, "gpu_task")
	require.Contains(t, seen, "plain_task")
	assert.Equal(t, "gpu", seen["gpu_task"].queue)
	assert.NotEqual(t, "gpu", seen["plain_task"].queue)
	assert.NotEmpty(t, seen["plain_task"].queue, "default: the workflow's own queue")
	assert.Equal(t, "gpu_task", seen["gpu_task"].typ, "activity type = task name")
	assert.Equal(t, 7*time.Second, seen["gpu_task"].heartbeat)
	assert.Equal(t, temporal.DefaultHeartbeatTimeout, seen["plain_task"].heartbeat)
	assert.InDelta(t, float64(3*time.Minute), float64(seen["gpu_task"].timeout), float64(time.Second))
}

func TestTaskRetries(t *testing.T) {
	tests := []struct {
		name         string
		maxRetries   int
		failAttempts int // attempts 1..failAttempts fail
		wantRuns     int
		wantErrAt    int // 0 = the run succeeds; else TaskError.Attempt
	}{
		{"no retries", 0, 100, 1, 1},
		{"two retries, always failing", 2, 100, 3, 3},
		{"two retries, succeeds on the third attempt", 2, 2, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			var mu sync.Mutex
			var attempts []int
			flaky := graflow.NewTask("flaky", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
				mu.Lock()
				attempts = append(attempts, ctx.Attempt())
				mu.Unlock()
				if ctx.Attempt() <= tt.failAttempts {
					return 0, fmt.Errorf("attempt %d failed", ctx.Attempt())
				}
				return ctx.Attempt(), nil
			}, graflow.WithRegistry(tb.reg), graflow.WithMaxRetries(tt.maxRetries),
				graflow.WithRetryPolicy(graflow.RetryPolicy{InitialInterval: time.Millisecond, MaximumInterval: time.Millisecond}))
			wf := graflow.NewWorkflow("retries")
			wf.Add(flaky)
			res, err := tb.run(t, wf)
			mu.Lock()
			defer mu.Unlock()
			want := make([]int, tt.wantRuns)
			for i := range want {
				want[i] = i + 1
			}
			assert.Equal(t, want, attempts)
			if tt.wantErrAt == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.wantRuns, value[int](t, res))
				return
			}
			var te *graflow.TaskError
			require.True(t, errors.As(err, &te), "%T %v", err, err)
			assert.Equal(t, "flaky", te.TaskID)
			assert.Equal(t, tt.wantErrAt, te.Attempt)
			assert.Contains(t, err.Error(), fmt.Sprintf("attempt %d failed", tt.wantErrAt))
		})
	}
}
