package temporal_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
	"github.com/stretchr/testify/require"
)

// runLog records task runs in the order they happen (branches run
// concurrently, so the log is guarded).
type runLog struct {
	mu  sync.Mutex
	log []string
}

func (l *runLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, s)
}

func (l *runLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

func (l *runLog) count(s string) int {
	n := 0
	for _, x := range l.all() {
		if x == s {
			n++
		}
	}
	return n
}

// before reports whether a was logged before b (both present).
func (l *runLog) before(a, b string) bool {
	log := l.all()
	i, j := slices.Index(log, a), slices.Index(log, b)
	return i >= 0 && j >= 0 && i < j
}

// index returns where s was first logged, or -1.
func (l *runLog) index(s string) int { return slices.Index(l.all(), s) }

// testbed is one registry with a run log and helpers to make tasks in it:
// the test bed of this package's tests on graflowtest's executor.
type testbed struct {
	reg *graflow.Registry
	runLog
}

func newTestbed() *testbed { return &testbed{reg: graflow.NewRegistry()} }

// step returns a task that logs its task id and returns it.
func (tb *testbed) step(name string, opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
	return tb.fn(name, nil, opts...)
}

// fn returns a task that logs its task id, then runs body (nil: return the
// task id).
func (tb *testbed) fn(name string, body func(ctx *graflow.TaskContext) (string, error), opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.add(ctx.TaskID())
		if body == nil {
			return ctx.TaskID(), nil
		}
		return body(ctx)
	}, append(opts, graflow.WithRegistry(tb.reg))...)
}

// task returns a task that logs its name and returns it.
func (tb *testbed) task(name string, opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.add(name)
		return name, nil
	}, append(opts, graflow.WithRegistry(tb.reg))...)
}

// failing returns a task that logs its name, writes "<name>_key" and fails.
func (tb *testbed) failing(name string) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.add(name)
		_ = ctx.Channel().Set(name+"_key", "written by "+name)
		return "", fmt.Errorf("%s exploded", name)
	}, graflow.WithRegistry(tb.reg))
}

// writer returns a task that logs its name, writes "<name>_key" and returns its name.
func (tb *testbed) writer(name string) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.add(name)
		return name, ctx.Channel().Set(name+"_key", "written by "+name)
	}, graflow.WithRegistry(tb.reg))
}

func (tb *testbed) run(t *testing.T, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	t.Helper()
	return wf.Execute(context.Background(), graflowtest.NewExecutor(tb.reg), opts...)
}

func value[T any](t *testing.T, res *graflow.Result) T {
	t.Helper()
	require.NotNil(t, res)
	var v T
	require.NoError(t, res.Value(&v))
	return v
}

func groupError(t *testing.T, err error) *graflow.ParallelGroupError {
	t.Helper()
	require.Error(t, err)
	var ge *graflow.ParallelGroupError
	require.True(t, errors.As(err, &ge), "not a ParallelGroupError: %T %v", err, err)
	return ge
}

// ---- joins ----------------------------------------------------------------
