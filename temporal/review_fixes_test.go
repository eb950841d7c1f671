package temporal_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

// Branches that each NextTask the same instances (Chain(notify, audit)): the
// second branch's notify is a jump, and audit must still run inside that
// branch — in per-branch children, a batch child and a static group alike.
func TestSharedNextTaskAcrossBranches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		width  int
		static bool
	}{{"per-branch children", 3, false}, {"batch child", 60, false}, {"static group", 3, true}} {
		t.Run(tc.name, func(t *testing.T) {
			reg := graflow.NewRegistry()
			var mu sync.Mutex
			counts := map[string]int{}
			mk := func(name string, body func(ctx *graflow.TaskContext) error) *graflow.Task[graflow.None, string] {
				return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
					mu.Lock()
					counts[name]++
					mu.Unlock()
					if body != nil {
						return name, body(ctx)
					}
					return name, nil
				}, graflow.WithRegistry(reg), graflow.WithMaxCycles(1000))
			}
			notify, audit := mk("notify", nil).Instance("notify", nil), mk("audit", nil).Instance("audit", nil)
			w := mk("w", func(ctx *graflow.TaskContext) error { return ctx.NextTask(graflow.Chain(notify, audit)) })
			members := make([]graflow.Node, tc.width)
			for i := range members {
				members[i] = w.Instance(fmt.Sprintf("w%d", i), nil)
			}
			group := graflow.Parallel(members[0], members[1], members[2:]...)
			after := mk("after", nil)
			wf := graflow.NewWorkflow("shared")
			if tc.static {
				wf.Add(graflow.Chain(group, after))
			} else {
				spawner := mk("spawner", func(ctx *graflow.TaskContext) error { return ctx.NextTask(group) })
				wf.Add(graflow.Chain(spawner, after))
			}
			_, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
			require.NoError(t, err)
			assert.Equal(t, tc.width, counts["notify"])
			assert.Equal(t, tc.width, counts["audit"])
			assert.Equal(t, 1, counts["after"])
		})
	}
}

// A terminate in one branch (after a first task, so in the branch's
// coroutine) ends the run without waiting for a slow sibling.
func TestTerminateDoesNotWaitForSlowSibling(t *testing.T) {
	reg := graflow.NewRegistry()
	term := graflow.NewTask("term", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		ctx.TerminateWorkflow("stopped")
		return "t", nil
	}, graflow.WithRegistry(reg))
	slow := graflow.NewTask("slow", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
		}
		return "slow", nil
	}, graflow.WithRegistry(reg))
	first := graflow.NewTask("first", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "a", nil }, graflow.WithRegistry(reg))
	wf := graflow.NewWorkflow("stop")
	wf.Add(graflow.Parallel(graflow.Chain(first, term), slow))
	start := time.Now()
	res, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
	require.NoError(t, err)
	var v string
	require.NoError(t, res.Value(&v))
	assert.Equal(t, "stopped", v)
	assert.Less(t, time.Since(start), 4*time.Second)
}

// Runs in dynamic children count toward the parent's WithMaxCycles: a task
// spawned in a child on every iteration of a loop meets its limit.
func TestCyclesCountedAcrossChildren(t *testing.T) {
	reg := graflow.NewRegistry()
	x := graflow.NewTask("x", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		return ctx.Cycle(), nil
	}, graflow.WithRegistry(reg), graflow.WithMaxCycles(2))
	y := graflow.NewTask("y", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return 0, nil }, graflow.WithRegistry(reg), graflow.WithMaxCycles(100))
	spawner := graflow.NewTask("spawner", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		if err := ctx.NextTask(graflow.Parallel(x, y)); err != nil {
			return 0, err
		}
		if in.N < 5 {
			return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
		}
		return in.N, nil
	}, graflow.WithRegistry(reg))
	wf := graflow.NewWorkflow("cycles")
	wf.Add(spawner.Instance("spawner", graflow.Params{"n": 1}))
	_, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `task "x" reached its cycle limit (3 of 2)`)
}
