package temporal_test

// Dynamic control flow on the SDK's
// in-memory test environment: NextTask, Goto, NextIteration,
// TerminateWorkflow, CancelWorkflow and dynamic groups run as child
// workflows. Each test names the conformance scenario it covers; the
// [quirk] scenarios (48, 49, 56, 62) test where graflow-go differs from
// Graflow instead (README, "Coming from Graflow").

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

func dyFlow(nodes ...graflow.Node) *graflow.Workflow {
	wf := graflow.NewWorkflow("dynamic")
	wf.Add(nodes...)
	return wf
}

func dyGet[T any](t *testing.T, res *graflow.Result, key string) T {
	t.Helper()
	require.NotNil(t, res)
	var v T
	require.NoError(t, res.Channel.Get(key, &v), key)
	return v
}

func asError[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	require.Error(t, err)
	require.True(t, errors.As(err, &target), "%T is not a %T: %v", err, target, err)
	return target
}

func dyParallel(nodes []graflow.Node) *graflow.Group {
	return graflow.Parallel(nodes[0], nodes[1], nodes[2:]...)
}

// ---- NextTask and Goto ---------------------------------------------------------------

// Scenarios 38, 46, 48 (fixed): a node new to the run's graph is queued; the
// current task's successors still run, after it.
func TestDynamicNextTaskNewRunsSuccessors(t *testing.T) {
	tests := []struct {
		name string
		node func(b *testbed) graflow.Node
		want []string
	}{
		{"38 new task p", func(b *testbed) graflow.Node { return b.step("p") }, []string{"root", "p", "after"}},
		{"46 new task dyn", func(b *testbed) graflow.Node { return b.step("dyn") }, []string{"root", "dyn", "after"}},
		{"48 fixed: new instance p1", func(b *testbed) graflow.Node { return b.step("process").Instance("p1", nil) }, []string{"root", "p1", "after"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			dyn := tc.node(b)
			root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "root", ctx.NextTask(dyn) })
			res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
			require.NoError(t, err)
			assert.Equal(t, tc.want, b.all())
			assert.Equal(t, "after", value[string](t, res))
		})
	}
}

// A dynamic chain's entry is queued before the current task's successors;
// the rest of the chain follows its entry in FIFO order, as in Graflow.
func TestDynamicNextTaskChainIsFIFO(t *testing.T) {
	b := newTestbed()
	dyn := graflow.Chain(b.step("x"), b.step("y"))
	root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "root", ctx.NextTask(dyn) })
	res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
	require.NoError(t, err)
	assert.Equal(t, []string{"root", "x", "after", "y"}, b.all())
	assert.Equal(t, "y", value[string](t, res), "the last task that completed")
}

// Scenario 44: several dynamic tasks run in FIFO order, all before the
// static successor.
func TestDynamicNextTaskFIFO(t *testing.T) {
	b := newTestbed()
	w := b.step("worker")
	root := b.fn("coordinator", func(ctx *graflow.TaskContext) (string, error) {
		for i := range 3 {
			if err := ctx.NextTask(w.Instance(fmt.Sprintf("worker_%d", i), nil)); err != nil {
				return "", err
			}
		}
		return "coordinated", nil
	})
	res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("cleanup"))))
	require.NoError(t, err)
	assert.Equal(t, []string{"coordinator", "worker_0", "worker_1", "worker_2", "cleanup"}, b.all())
	assert.Equal(t, "cleanup", value[string](t, res))
	for i := range 3 {
		assert.Equal(t, fmt.Sprintf("worker_%d", i), dyGet[string](t, res, graflow.ResultKey(fmt.Sprintf("worker_%d", i))))
	}
}

// Scenarios 45 and 47: Goto always skips the current task's successors; a
// NextTask to a node already in the graph is a jump and skips them too,
// transitively.
func TestDynamicGotoAndJumps(t *testing.T) {
	type graph struct {
		nodes []graflow.Node
		start string
	}
	tests := []struct {
		name  string
		build func(b *testbed) graph
		want  []string
		value string
	}{
		{"45 goto an existing node", func(b *testbed) graph {
			target := b.step("target")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) { return "main", ctx.Goto(target) })
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor")), target}, "main"}
		}, []string{"main", "target"}, "target"},
		{"45 goto a new node", func(b *testbed) graph {
			fresh := b.step("fresh")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) { return "main", ctx.Goto(fresh) })
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor"))}, ""}
		}, []string{"main", "fresh"}, "fresh"},
		{"45 goto a new chain", func(b *testbed) graph {
			x, y := b.step("x"), b.step("y")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) { return "main", ctx.Goto(graflow.Chain(x, y)) })
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor"))}, ""}
		}, []string{"main", "x", "y"}, "y"},
		{"47 NextTask to an existing id is a jump, successors skipped transitively", func(b *testbed) graph {
			existing, other := b.step("existing"), b.step("other")
			start := b.fn("start", func(ctx *graflow.TaskContext) (string, error) { return "start", ctx.NextTask(existing) })
			return graph{[]graflow.Node{graflow.Chain(start, b.step("successor_node"), b.step("final_node")), graflow.Chain(existing, other)}, "start"}
		}, []string{"start", "existing", "other"}, "other"},
		{"47 NextTask to an existing instance id is a jump", func(b *testbed) graph {
			proc := b.step("process")
			start := b.fn("start", func(ctx *graflow.TaskContext) (string, error) {
				return "start", ctx.NextTask(proc.Instance("p1", nil))
			})
			return graph{[]graflow.Node{graflow.Chain(start, b.step("successor")), proc.Instance("p1", nil)}, "start"}
		}, []string{"start", "p1"}, "p1"},
		{"47 mixed NextTask then Goto", func(b *testbed) graph {
			n1, n2 := b.step("normal"), b.step("jumped")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) {
				return "main", errors.Join(ctx.NextTask(n1), ctx.Goto(n2))
			})
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor"))}, ""}
		}, []string{"main", "normal", "jumped"}, "jumped"},
		{"47 mixed Goto then NextTask", func(b *testbed) graph {
			n1, n2 := b.step("normal"), b.step("jumped")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) {
				return "main", errors.Join(ctx.Goto(n2), ctx.NextTask(n1))
			})
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor"))}, ""}
		}, []string{"main", "jumped", "normal"}, "normal"},
		{"goto a dynamic group skips successors", func(b *testbed) graph {
			x, y := b.step("x"), b.step("y")
			main := b.fn("main", func(ctx *graflow.TaskContext) (string, error) { return "main", ctx.Goto(graflow.Parallel(x, y)) })
			return graph{[]graflow.Node{graflow.Chain(main, b.step("successor"))}, ""}
		}, nil, "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			g := tc.build(b)
			var opts []graflow.ExecuteOption
			if g.start != "" {
				opts = append(opts, graflow.Start(g.start))
			}
			res, err := b.run(t, dyFlow(g.nodes...), opts...)
			require.NoError(t, err)
			if tc.want != nil {
				assert.Equal(t, tc.want, b.all())
			} else {
				assert.ElementsMatch(t, []string{"main", "x", "y"}, b.all())
			}
			assert.Equal(t, 0, b.count("successor"))
			if tc.value == "null" {
				assert.JSONEq(t, "null", string(res.Raw()))
			} else {
				assert.Equal(t, tc.value, value[string](t, res))
			}
		})
	}
}

// Jumps count towards the cycle limit like every other way of running again.
func TestDynamicSelfJumpHitsCycleLimit(t *testing.T) {
	b := newTestbed()
	var self graflow.Node
	self = b.fn("again", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(self) }, graflow.WithMaxCycles(4))
	_, err := b.run(t, dyFlow(graflow.Chain(self, b.step("after"))))
	le := asError[*graflow.CycleLimitError](t, err)
	assert.Equal(t, "again", le.TaskID)
	assert.Equal(t, 4, le.MaxCycles)
	assert.Equal(t, 4, b.count("again"))
	assert.Equal(t, 0, b.count("after"))
}

// A node passed to NextTask or Goto must name a task of the worker's
// registry: the call fails at once (wrapping ErrTaskNotRegistered) and
// records nothing; returned, the error fails the run as a *TaskError.
func TestDynamicNextTaskUnregistered(t *testing.T) {
	other := graflow.NewRegistry()
	ghost := graflow.NewTask("ghost", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "boo", nil }, graflow.WithRegistry(other))

	t.Run("returned error fails the run", func(t *testing.T) {
		// The error wraps both ErrInvalidGraph and ErrTaskNotRegistered; both
		// must survive the trip through Temporal on every run, not by
		// chance: repeat.
		const runs = 20
		lost := map[string]int{}
		for range runs {
			b := newTestbed()
			var callErr error
			root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
				callErr = ctx.NextTask(ghost)
				return "", callErr
			})
			_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
			require.ErrorIs(t, callErr, graflow.ErrTaskNotRegistered)
			require.ErrorIs(t, callErr, graflow.ErrInvalidGraph)
			assert.Contains(t, callErr.Error(), `"ghost"`)
			te := asError[*graflow.TaskError](t, err)
			assert.Equal(t, "root", te.TaskID)
			assert.Contains(t, err.Error(), "ghost")
			assert.Equal(t, 0, b.count("after"))
			if !errors.Is(err, graflow.ErrTaskNotRegistered) {
				lost["ErrTaskNotRegistered"]++
			}
			if !errors.Is(err, graflow.ErrInvalidGraph) {
				lost["ErrInvalidGraph"]++
			}
		}
		assert.Empty(t, lost, "sentinels lost on the way back from the activity, out of %d runs", runs)
	})
	for _, kind := range []string{"NextTask", "Goto", "NextTask group"} {
		t.Run("ignored error records nothing: "+kind, func(t *testing.T) {
			b := newTestbed()
			ok := b.step("ok")
			var callErr error
			root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
				switch kind {
				case "NextTask":
					callErr = ctx.NextTask(ghost)
				case "Goto":
					callErr = ctx.Goto(ghost)
				default:
					callErr = ctx.NextTask(graflow.Parallel(ok, ghost))
				}
				return "root", nil
			})
			res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
			require.NoError(t, err)
			require.ErrorIs(t, callErr, graflow.ErrTaskNotRegistered)
			assert.Equal(t, []string{"root", "after"}, b.all())
			assert.Equal(t, "after", value[string](t, res))
		})
	}
}

// ---- NextIteration ---------------------------------------------------------------------

// Scenario 50: the params of each NextIteration reach the next run.
func TestDynamicNextIterationPassesData(t *testing.T) {
	t.Run("collector", func(t *testing.T) {
		b := newTestbed()
		collector := graflow.NewTask("collector", func(ctx *graflow.TaskContext, in struct {
			Items []int `json:"items"`
		}) (int, error) {
			b.add(fmt.Sprint(in.Items))
			if len(in.Items) < 3 {
				return len(in.Items), ctx.NextIteration(graflow.Params{"items": append(slices.Clone(in.Items), len(in.Items))})
			}
			return len(in.Items), nil
		}, graflow.WithRegistry(b.reg))
		res, err := b.run(t, dyFlow(collector))
		require.NoError(t, err)
		assert.Equal(t, []string{"[]", "[0]", "[0 1]", "[0 1 2]"}, b.all())
		assert.Equal(t, 3, value[int](t, res))
	})
	t.Run("counter", func(t *testing.T) {
		b := newTestbed()
		counter := graflow.NewTask("counter", func(ctx *graflow.TaskContext, in struct {
			Count int `json:"count"`
		}) (int, error) {
			if err := ctx.Channel().Set("last_count", in.Count); err != nil {
				return 0, err
			}
			if in.Count < 3 {
				return in.Count, ctx.NextIteration(graflow.Params{"count": in.Count + 1})
			}
			return in.Count, nil
		}, graflow.WithRegistry(b.reg))
		res, err := b.run(t, dyFlow(counter))
		require.NoError(t, err)
		assert.Equal(t, 3, dyGet[int](t, res, "last_count"))
	})
	t.Run("halving", func(t *testing.T) {
		b := newTestbed()
		halve := graflow.NewTask("halve", func(ctx *graflow.TaskContext, in struct {
			N int `json:"n"`
		}) (int, error) {
			if _, err := ctx.Channel().Append("seen", in.N); err != nil {
				return 0, err
			}
			if in.N > 1 {
				return in.N, ctx.NextIteration(graflow.Params{"n": in.N / 2})
			}
			return in.N, nil
		}, graflow.WithRegistry(b.reg))
		res, err := b.run(t, dyFlow(halve.Instance("halver", graflow.Params{"n": 10})))
		require.NoError(t, err)
		assert.Equal(t, []int{10, 5, 2, 1}, dyGet[[]int](t, res, "seen"))
		assert.Equal(t, 1, value[int](t, res))
	})
	t.Run("iteration params override only the keys they name; the id stays", func(t *testing.T) {
		b := newTestbed()
		tagged := graflow.NewTask("tagged", func(ctx *graflow.TaskContext, in struct {
			N   int    `json:"n"`
			Tag string `json:"tag"`
		}) (int, error) {
			b.add(fmt.Sprintf("%s:%s:%d", ctx.TaskID(), in.Tag, in.N))
			if in.N < 102 {
				return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
			}
			return in.N, nil
		}, graflow.WithRegistry(b.reg))
		res, err := b.run(t, dyFlow(tagged.Instance("tg", graflow.Params{"n": 100, "tag": "x"})), graflow.InitialChannel(map[string]any{"n": -1, "tag": "channel"}))
		require.NoError(t, err)
		assert.Equal(t, []string{"tg:x:100", "tg:x:101", "tg:x:102"}, b.all())
		assert.Equal(t, 102, dyGet[int](t, res, graflow.ResultKey("tg")))
	})
}

// Scenario 51: Cycle() is 1-based; CanIterate() is false on the last
// allowed run, so a guarded loop stops there without error.
func TestDynamicCycleAndCanIterate(t *testing.T) {
	tests := []struct {
		name      string
		opts      []graflow.TaskOption
		defaults  []graflow.TaskOption
		wantCycle []string
	}{
		{"WithMaxCycles(5)", []graflow.TaskOption{graflow.WithMaxCycles(5)}, nil, []string{"1/5 true", "2/5 true", "3/5 true", "4/5 true", "5/5 false"}},
		{"workflow default 3", nil, []graflow.TaskOption{graflow.WithMaxCycles(3)}, []string{"1/3 true", "2/3 true", "3/3 false"}},
		{"per task beats workflow default", []graflow.TaskOption{graflow.WithMaxCycles(2)}, []graflow.TaskOption{graflow.WithMaxCycles(7)}, []string{"1/2 true", "2/2 false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			loop := b.fn("guarded", func(ctx *graflow.TaskContext) (string, error) {
				b.add(fmt.Sprintf("%d/%d %v", ctx.Cycle(), ctx.MaxCycles(), ctx.CanIterate()))
				if ctx.CanIterate() {
					return "again", ctx.NextIteration(nil)
				}
				return "done", nil
			}, tc.opts...)
			wf := graflow.NewWorkflow("guarded", graflow.WithDefaultTaskOptions(tc.defaults...))
			wf.Add(loop)
			res, err := b.run(t, wf)
			require.NoError(t, err)
			var cycles []string
			for _, s := range b.all() {
				if s != "guarded" {
					cycles = append(cycles, s)
				}
			}
			assert.Equal(t, tc.wantCycle, cycles)
			assert.Equal(t, "done", value[string](t, res))
		})
	}
}

// Scenario 52: an unguarded loop runs MaxCycles times, then the run fails
// with a *CycleLimitError naming the task; the per-task limit beats the
// workflow default, which beats graflow.DefaultMaxCycles.
func TestDynamicUnguardedLoopHitsCycleLimit(t *testing.T) {
	tests := []struct {
		name     string
		opts     []graflow.TaskOption
		defaults []graflow.TaskOption
		wantMax  int
	}{
		{"default 10", nil, nil, graflow.DefaultMaxCycles},
		{"workflow default 3", nil, []graflow.TaskOption{graflow.WithMaxCycles(3)}, 3},
		{"per task 4 beats default 10", []graflow.TaskOption{graflow.WithMaxCycles(4)}, nil, 4},
		{"per task 4 beats workflow default 100", []graflow.TaskOption{graflow.WithMaxCycles(4)}, []graflow.TaskOption{graflow.WithMaxCycles(100)}, 4},
		{"per task 12 beats default 10", []graflow.TaskOption{graflow.WithMaxCycles(12)}, nil, 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			var last int
			loop := graflow.NewTask("loop_task", func(ctx *graflow.TaskContext, in struct {
				N int `json:"n"`
			}) (int, error) {
				b.add("infinite_loop")
				last = in.N
				return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
			}, append(tc.opts, graflow.WithRegistry(b.reg))...)
			wf := graflow.NewWorkflow("unguarded", graflow.WithDefaultTaskOptions(tc.defaults...))
			wf.Add(graflow.Chain(loop.Instance("infinite_loop", nil), b.step("after")))
			_, err := b.run(t, wf)
			le := asError[*graflow.CycleLimitError](t, err)
			assert.Equal(t, "infinite_loop", le.TaskID)
			assert.Equal(t, tc.wantMax, le.MaxCycles)
			assert.Equal(t, tc.wantMax, b.count("infinite_loop"))
			assert.Equal(t, tc.wantMax-1, last)
			assert.Equal(t, 0, b.count("after"))
		})
	}
}

// Scenario 53: cycle counts and limits are per task.
func TestDynamicIndependentCycleBudgets(t *testing.T) {
	b := newTestbed()
	mk := func(name string, opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
		return b.fn(name, func(ctx *graflow.TaskContext) (string, error) {
			if ctx.CanIterate() {
				return "", ctx.NextIteration(nil)
			}
			return fmt.Sprintf("%s-%d", name, ctx.Cycle()), nil
		}, opts...)
	}
	wf := graflow.NewWorkflow("budgets", graflow.WithDefaultTaskOptions(graflow.WithMaxCycles(5)))
	wf.Add(graflow.Chain(mk("a", graflow.WithMaxCycles(2)), mk("b", graflow.WithMaxCycles(3)), mk("c")))
	res, err := b.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a", "b", "b", "b", "c", "c", "c", "c", "c"}, b.all())
	assert.Equal(t, "c-5", value[string](t, res))
	assert.Equal(t, "a-2", dyGet[string](t, res, graflow.ResultKey("a")))
	assert.Equal(t, "b-3", dyGet[string](t, res, graflow.ResultKey("b")))
}

// The cycle limit bounds every way a task runs again — also a
// loop that passes through a dynamic group (agent -> Goto(tool1 | tool2) ->
// tool1 Goto(agent)). The guard stops a runaway loop so that the test fails
// instead of recursing into ever deeper child workflows.
func TestDynamicLoopThroughDynamicGroupHitsCycleLimit(t *testing.T) {
	b := newTestbed()
	var calls atomic.Int32
	var agent, tool1 graflow.Node
	tool2 := b.step("tool2")
	tool1 = b.fn("tool1", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.Goto(agent) })
	agent = b.fn("agent", func(ctx *graflow.TaskContext) (string, error) {
		if calls.Add(1) > 12 {
			return "", errors.New("runaway loop: agent ran 13 times with WithMaxCycles(3)")
		}
		return "", ctx.Goto(graflow.Parallel(tool1, tool2))
	}, graflow.WithMaxCycles(3))
	_, err := b.run(t, dyFlow(agent))
	require.Error(t, err)
	assert.LessOrEqual(t, b.count("agent"), 3, "agent ran %d times with WithMaxCycles(3)", b.count("agent"))
	// The limit is met inside the branch children; each group reports its
	// failed branch, the innermost naming the cycle limit.
	var pge *graflow.ParallelGroupError
	require.ErrorAs(t, err, &pge, "%.300s", err)
	assert.Contains(t, err.Error(), `task "agent" reached its cycle limit (4 of 3)`)
}

// A group passed to NextTask is checked like a static one: a policy that
// cannot work is an error at the call.
func TestDynamicGroupPolicyCheckedAtCall(t *testing.T) {
	b := newTestbed()
	x, y := b.step("x"), b.step("y")
	var errs []error
	root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
		errs = append(errs,
			ctx.NextTask(graflow.Parallel(x, y).Named("too_many").WithPolicy(graflow.AtLeast(3))),
			ctx.NextTask(graflow.Parallel(x, y).Named("unknown_critical").WithPolicy(graflow.CriticalOnly("ghost"))))
		return "root", nil
	})
	_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
	require.NoError(t, err)
	require.Len(t, errs, 2)
	for i, want := range []string{"too_many", "ghost"} {
		require.ErrorIs(t, errs[i], graflow.ErrInvalidGraph)
		assert.Contains(t, errs[i].Error(), want)
	}
	assert.Equal(t, []string{"root", "after"}, b.all())
}

// NextIteration binding a key the task does not have fails at the call.
func TestDynamicNextIterationUnknownParam(t *testing.T) {
	for _, returned := range []bool{false, true} {
		t.Run(fmt.Sprintf("returned=%v", returned), func(t *testing.T) {
			b := newTestbed()
			var callErr error
			it := graflow.NewTask("it", func(ctx *graflow.TaskContext, in struct {
				N int `json:"n"`
			}) (int, error) {
				b.add("it")
				callErr = ctx.NextIteration(graflow.Params{"n": in.N + 1, "nope": true})
				if returned {
					return 0, callErr
				}
				return in.N, nil
			}, graflow.WithRegistry(b.reg))
			res, err := b.run(t, dyFlow(graflow.Chain(it, b.step("after"))))
			require.Error(t, callErr)
			assert.ErrorIs(t, callErr, graflow.ErrInvalidGraph)
			assert.Contains(t, callErr.Error(), `"nope"`)
			if returned {
				te := asError[*graflow.TaskError](t, err)
				assert.Equal(t, "it", te.TaskID)
				assert.Equal(t, []string{"it"}, b.all())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"it", "after"}, b.all(), "nothing was recorded: no iteration")
			assert.Equal(t, "after", value[string](t, res))
		})
	}
}

// Scenario 55: loops that carry data, stop early, exhaust their budget, or
// hand over to NextTask when the budget is spent.
func TestDynamicIterationLoops(t *testing.T) {
	type refineIn struct {
		Score *float64 `json:"score"`
	}
	refineTask := func(b *testbed, onSpent func(ctx *graflow.TaskContext, draft string) error, opts ...graflow.TaskOption) *graflow.Task[refineIn, string] {
		return graflow.NewTask("refine", func(ctx *graflow.TaskContext, in refineIn) (string, error) {
			score := 0.1
			if in.Score != nil {
				score = *in.Score
			}
			score += 0.2
			draft := fmt.Sprintf("draft_v%d", ctx.Cycle())
			b.add(draft)
			ch := ctx.Channel()
			if err := errors.Join(ch.Set("cycle_count", ctx.Cycle()), ch.Set("result", draft)); err != nil {
				return "", err
			}
			if _, err := ch.Add("total", 1); err != nil {
				return "", err
			}
			if score >= 0.85 {
				return draft, nil
			}
			if ctx.CanIterate() {
				return draft, ctx.NextIteration(graflow.Params{"score": score})
			}
			if onSpent != nil {
				return draft, onSpent(ctx, draft)
			}
			return draft, nil
		}, append(opts, graflow.WithRegistry(b.reg))...)
	}
	t.Run("early exit", func(t *testing.T) {
		b := newTestbed()
		res, err := b.run(t, dyFlow(refineTask(b, nil, graflow.WithMaxCycles(5))))
		require.NoError(t, err)
		assert.Equal(t, "draft_v4", dyGet[string](t, res, "result"))
		assert.Equal(t, 4, dyGet[int](t, res, "cycle_count"))
		assert.Equal(t, "draft_v4", value[string](t, res))
	})
	t.Run("budget exhausted", func(t *testing.T) {
		b := newTestbed()
		res, err := b.run(t, dyFlow(refineTask(b, nil, graflow.WithMaxCycles(3))))
		require.NoError(t, err)
		assert.Equal(t, 3, dyGet[int](t, res, "total"))
		assert.Equal(t, 3, dyGet[int](t, res, "cycle_count"))
	})
	t.Run("then NextTask(publish)", func(t *testing.T) {
		b := newTestbed()
		publish := graflow.NewTask("publish", func(ctx *graflow.TaskContext, in struct {
			Draft string `json:"draft"`
		}) (string, error) {
			b.add("publish")
			out := "published_" + in.Draft
			return out, ctx.Channel().Set("published", out)
		}, graflow.WithRegistry(b.reg))
		refine := refineTask(b, func(ctx *graflow.TaskContext, draft string) error {
			return ctx.NextTask(publish.Instance("publish", graflow.Params{"draft": draft}))
		}, graflow.WithMaxCycles(3))
		res, err := b.run(t, dyFlow(refine))
		require.NoError(t, err)
		assert.Equal(t, 3, dyGet[int](t, res, "cycle_count"))
		assert.Equal(t, "published_draft_v3", dyGet[string](t, res, "published"))
		assert.Equal(t, []string{"draft_v1", "draft_v2", "draft_v3", "publish"}, b.all())
	})
}

// Scenario 56 (fixed): the static successors of an iterating task run once,
// after the last iteration — also inside a parallel branch and a dynamic one.
func TestDynamicIterationSuccessorsRunOnceAfterLast(t *testing.T) {
	mkIt := func(b *testbed) *graflow.Task[graflow.None, string] {
		return b.fn("it", func(ctx *graflow.TaskContext) (string, error) {
			b.add(fmt.Sprintf("it%d", ctx.Cycle()-1))
			if ctx.Cycle() < 3 {
				return "", ctx.NextIteration(nil)
			}
			return "it-done", nil
		})
	}
	only := func(log []string, keep ...string) []string {
		var out []string
		for _, s := range log {
			if slices.Contains(keep, s) {
				out = append(out, s)
			}
		}
		return out
	}
	t.Run("chain", func(t *testing.T) {
		b := newTestbed()
		res, err := b.run(t, dyFlow(graflow.Chain(mkIt(b), b.step("fin"))))
		require.NoError(t, err)
		assert.Equal(t, []string{"it0", "it1", "it2", "fin"}, only(b.all(), "it0", "it1", "it2", "fin"))
		assert.Equal(t, "fin", value[string](t, res))
	})
	t.Run("static branch", func(t *testing.T) {
		b := newTestbed()
		_, err := b.run(t, dyFlow(graflow.Chain(graflow.Parallel(graflow.Chain(mkIt(b), b.step("fin")), b.step("other")), b.step("end"))))
		require.NoError(t, err)
		assert.Equal(t, []string{"it0", "it1", "it2", "fin", "end"}, only(b.all(), "it0", "it1", "it2", "fin", "end"))
	})
	t.Run("dynamic branch", func(t *testing.T) {
		b := newTestbed()
		it, fin, other := mkIt(b), b.step("fin"), b.step("other")
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
			return "", ctx.NextTask(graflow.Parallel(graflow.Chain(it, fin), other))
		})
		_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("end"))))
		require.NoError(t, err)
		assert.Equal(t, []string{"it0", "it1", "it2", "fin", "end"}, only(b.all(), "it0", "it1", "it2", "fin", "end"))
	})
}

// ---- agent loops (scenarios 42, 54) ------------------------------------------------------

func TestDynamicAgentLoops(t *testing.T) {
	t.Run("54 goto loop exits early", func(t *testing.T) {
		b := newTestbed()
		var agent, tool graflow.Node
		agent = b.fn("agent", func(ctx *graflow.TaskContext) (string, error) {
			score, err := ctx.Channel().Add("score", 0.2)
			if err != nil {
				return "", err
			}
			if err := ctx.Channel().Set("agent_cycle", ctx.Cycle()); err != nil {
				return "", err
			}
			if score >= 0.75 {
				return "satisfied", ctx.Channel().Set("final_score", score)
			}
			return "thinking", ctx.Goto(tool)
		}, graflow.WithMaxCycles(5))
		tool = b.fn("tool", func(ctx *graflow.TaskContext) (string, error) { return "tool", ctx.Goto(agent) })
		res, err := b.run(t, dyFlow(agent, tool), graflow.Start("agent"))
		require.NoError(t, err)
		assert.Equal(t, 4, b.count("agent"))
		assert.Equal(t, 3, b.count("tool"))
		assert.InDelta(t, 0.8, dyGet[float64](t, res, "final_score"), 1e-9)
		assert.Equal(t, 4, dyGet[int](t, res, "agent_cycle"))
		assert.Equal(t, "satisfied", value[string](t, res))
	})
	t.Run("54 goto loop exhausts its budget", func(t *testing.T) {
		b := newTestbed()
		var agent, tool graflow.Node
		agent = b.fn("agent", func(ctx *graflow.TaskContext) (string, error) {
			if ctx.CanIterate() {
				return "thinking", ctx.Goto(tool)
			}
			return "gave up", ctx.Channel().Set("status", "budget_exhausted")
		}, graflow.WithMaxCycles(3))
		tool = b.fn("tool", func(ctx *graflow.TaskContext) (string, error) { return "tool", ctx.Goto(agent) })
		res, err := b.run(t, dyFlow(agent, tool), graflow.Start("agent"))
		require.NoError(t, err)
		assert.Equal(t, []string{"agent", "tool", "agent", "tool", "agent"}, b.all())
		assert.Equal(t, "budget_exhausted", dyGet[string](t, res, "status"))
	})
	for _, tc := range []struct {
		name       string
		stopAt     int
		agent, too int
	}{
		{"54 static cycle ended by TerminateWorkflow on the 3rd call", 3, 3, 2},
		{"42 terminating on the 1st call: tool never runs", 1, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			agent := b.fn("agent", func(ctx *graflow.TaskContext) (string, error) {
				if ctx.Cycle() == tc.stopAt {
					ctx.TerminateWorkflow(fmt.Sprintf("answer after %d", ctx.Cycle()))
				}
				return fmt.Sprintf("agent-%d", ctx.Cycle()), nil
			})
			tool := b.step("tool")
			res, err := b.run(t, dyFlow(graflow.Chain(agent, tool, agent)), graflow.Start("agent"))
			require.NoError(t, err)
			assert.Equal(t, tc.agent, b.count("agent"))
			assert.Equal(t, tc.too, b.count("tool"))
			assert.Equal(t, fmt.Sprintf("answer after %d", tc.stopAt), value[string](t, res))
		})
	}
	t.Run("54 static cycle without exit hits the cycle limit", func(t *testing.T) {
		b := newTestbed()
		agent, tool := b.step("agent"), b.step("tool")
		_, err := b.run(t, dyFlow(graflow.Chain(agent, tool, agent)), graflow.Start("agent"))
		le := asError[*graflow.CycleLimitError](t, err)
		assert.Equal(t, "agent", le.TaskID)
		assert.Equal(t, graflow.DefaultMaxCycles, le.MaxCycles)
		assert.Equal(t, 10, b.count("agent"))
		assert.Equal(t, 10, b.count("tool"))
	})
}

// ---- TerminateWorkflow (scenarios 57, 58) ----------------------------------------------------

func TestDynamicTerminate(t *testing.T) {
	tests := []struct {
		name string
		body func(ctx *graflow.TaskContext, q1, q2 graflow.Node) (string, error)
		want string
	}{
		{"57 nil result: the task's own value", func(ctx *graflow.TaskContext, q1, q2 graflow.Node) (string, error) {
			ctx.TerminateWorkflow(nil)
			return "cache hit", nil
		}, "cache hit"},
		{"57 completed early", func(ctx *graflow.TaskContext, q1, q2 graflow.Node) (string, error) {
			ctx.TerminateWorkflow("completed early")
			return "own value", nil
		}, "completed early"},
		{"queued dynamic tasks never run", func(ctx *graflow.TaskContext, q1, q2 graflow.Node) (string, error) {
			if err := ctx.NextTask(q1); err != nil {
				return "", err
			}
			ctx.TerminateWorkflow(nil)
			return "stopped", ctx.NextTask(q2)
		}, "stopped"},
		{"a queued iteration never runs", func(ctx *graflow.TaskContext, q1, q2 graflow.Node) (string, error) {
			if err := ctx.NextIteration(nil); err != nil {
				return "", err
			}
			ctx.TerminateWorkflow(nil)
			return "stopped", nil
		}, "stopped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			q1, q2 := b.step("queued"), b.step("queued_after")
			check := b.fn("check_cache", func(ctx *graflow.TaskContext) (string, error) {
				v, err := tc.body(ctx, q1, q2)
				b.add("check_cache:body-done")
				return v, err
			})
			res, err := b.run(t, dyFlow(graflow.Chain(check, b.step("fetch"), b.step("transform"), b.step("load"))))
			require.NoError(t, err)
			assert.Equal(t, []string{"check_cache", "check_cache:body-done"}, b.all())
			assert.Equal(t, tc.want, value[string](t, res))
			assert.True(t, res.Channel.Has(graflow.ResultKey("check_cache")), "the terminating task's result is stored")
		})
	}
	t.Run("a structured result", func(t *testing.T) {
		b := newTestbed()
		stop := b.fn("stop", func(ctx *graflow.TaskContext) (string, error) {
			ctx.TerminateWorkflow(map[string]any{"status": "done", "n": 3})
			return "ignored", nil
		})
		res, err := b.run(t, dyFlow(graflow.Chain(stop, b.step("after"))))
		require.NoError(t, err)
		assert.JSONEq(t, `{"status":"done","n":3}`, string(res.Raw()))
	})
	t.Run("an error returned after TerminateWorkflow wins", func(t *testing.T) {
		b := newTestbed()
		stop := b.fn("stop", func(ctx *graflow.TaskContext) (string, error) {
			ctx.TerminateWorkflow("never")
			return "", errors.New("broke after terminate")
		})
		_, err := b.run(t, dyFlow(graflow.Chain(stop, b.step("after"))))
		te := asError[*graflow.TaskError](t, err)
		assert.Equal(t, "stop", te.TaskID)
		assert.Contains(t, err.Error(), "broke after terminate")
		assert.Equal(t, []string{"stop"}, b.all())
	})
}

// Scenario 58 inside a parallel group: a terminate in a branch ends the whole
// run (Python Graflow ends only the branch); the group's successors and the
// branch's own successors never run.
func TestDynamicTerminateInsideBranch(t *testing.T) {
	stopper := func(b *testbed, name string) *graflow.Task[graflow.None, string] {
		return b.fn(name, func(ctx *graflow.TaskContext) (string, error) {
			ctx.TerminateWorkflow("stopped by " + ctx.TaskID())
			return "", nil
		})
	}
	members := func(b *testbed, n, victim int) []graflow.Node {
		w, s := b.step("member"), stopper(b, "stopper")
		nodes := make([]graflow.Node, n)
		for i := range nodes {
			if i == victim {
				nodes[i] = graflow.Chain(s.Instance(fmt.Sprintf("m%d", i), nil), b.step("victim_next"))
			} else {
				nodes[i] = w.Instance(fmt.Sprintf("m%d", i), nil)
			}
		}
		return nodes
	}
	t.Run("58 plain edges: queued siblings and the join never run", func(t *testing.T) {
		b := newTestbed()
		start, a, bb, final := b.step("start"), stopper(b, "branch_a"), b.step("branch_b"), b.step("final")
		res, err := b.run(t, dyFlow(graflow.Chain(start, a, final), graflow.Chain(start, bb, final)))
		require.NoError(t, err)
		assert.Equal(t, []string{"start", "branch_a"}, b.all())
		assert.Equal(t, "stopped by branch_a", value[string](t, res))
	})
	t.Run("static parallel branch", func(t *testing.T) {
		b := newTestbed()
		a := stopper(b, "branch_a")
		res, err := b.run(t, dyFlow(graflow.Chain(b.step("start"), graflow.Parallel(graflow.Chain(a, b.step("a_next")), b.step("branch_b")), b.step("final"))))
		require.NoError(t, err)
		assert.Equal(t, "stopped by branch_a", value[string](t, res))
		assert.Equal(t, 0, b.count("final"))
		assert.Equal(t, 0, b.count("a_next"))
	})
	for _, tc := range []struct {
		name          string
		width, victim int
		policy        graflow.Policy
	}{
		{"dynamic child", 3, 1, nil},
		{"dynamic child under BestEffort", 3, 0, graflow.BestEffort()},
		{"dynamic batch child (60 wide)", 60, 41, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestbed()
			nodes, groupNext := members(b, tc.width, tc.victim), b.step("group_next")
			root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
				g := dyParallel(nodes)
				if tc.policy != nil {
					g = g.WithPolicy(tc.policy)
				}
				return "spawned", ctx.NextTask(graflow.Chain(g, groupNext))
			})
			res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("final"))))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("stopped by m%d", tc.victim), value[string](t, res))
			assert.Equal(t, 1, b.count(fmt.Sprintf("m%d", tc.victim)))
			for _, s := range []string{"final", "group_next", "victim_next"} {
				assert.Equal(t, 0, b.count(s), s)
			}
		})
	}
	t.Run("nested dynamic child", func(t *testing.T) {
		b := newTestbed()
		inner := []graflow.Node{b.step("x1"), stopper(b, "x2")}
		outer := b.fn("outer", func(ctx *graflow.TaskContext) (string, error) {
			return "", ctx.NextTask(dyParallel(inner))
		})
		dyn := graflow.Parallel(graflow.Chain(outer, b.step("outer_next")), b.step("sibling"))
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(dyn) })
		res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("final"))))
		require.NoError(t, err)
		assert.Equal(t, "stopped by x2", value[string](t, res))
		assert.Equal(t, 0, b.count("final"))
		assert.Equal(t, 0, b.count("outer_next"))
	})
}

// A run ended by TerminateWorkflow completes successfully, so its final
// channel holds what the terminating task wrote and its result — as it does
// when the task runs outside any group (TestDynamicTerminate) — also when
// the task ran in a branch.
func TestDynamicTerminateInsideBranchKeepsItsWrites(t *testing.T) {
	for _, dynamic := range []bool{false, true} {
		t.Run(fmt.Sprintf("dynamic=%v", dynamic), func(t *testing.T) {
			b := newTestbed()
			stop := b.fn("stopper", func(ctx *graflow.TaskContext) (string, error) {
				if err := ctx.Channel().Set("verdict", "stop here"); err != nil {
					return "", err
				}
				ctx.TerminateWorkflow(nil)
				return "stopper value", nil
			})
			pre, other := b.step("pre"), b.step("other")
			group := graflow.Parallel(graflow.Chain(pre, stop), other)
			var wf *graflow.Workflow
			if dynamic {
				root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(group) })
				wf = dyFlow(graflow.Chain(root, b.step("final")))
			} else {
				wf = dyFlow(graflow.Chain(b.step("root"), group, b.step("final")))
			}
			res, err := b.run(t, wf)
			require.NoError(t, err)
			assert.Equal(t, "stopper value", value[string](t, res))
			assert.Equal(t, 0, b.count("final"))
			assert.True(t, res.Channel.Has(graflow.ResultKey("stopper")), "the terminating task's result is in the final channel; keys %v", res.Channel.Keys())
			assert.True(t, res.Channel.Has("verdict"), "the terminating task's writes are in the final channel; keys %v", res.Channel.Keys())
		})
	}
}

// ---- CancelWorkflow (scenario 59) ------------------------------------------------------------

func TestDynamicCancel(t *testing.T) {
	const reason = "Data validation failed: invalid format"
	t.Run("59 cancel in a chain", func(t *testing.T) {
		b := newTestbed()
		queued := b.step("queued")
		validate := b.fn("validate_input", func(ctx *graflow.TaskContext) (string, error) {
			ctx.CancelWorkflow(reason)
			b.add("validate_input:after-cancel")
			return "invalid", ctx.NextTask(queued)
		})
		res, err := b.run(t, dyFlow(graflow.Chain(validate, b.step("process"), b.step("store"))))
		assert.Nil(t, res)
		ce := asError[*graflow.WorkflowCanceledError](t, err)
		assert.Equal(t, "validate_input", ce.TaskID)
		assert.Equal(t, reason, ce.Reason)
		assert.Contains(t, err.Error(), "validation failed")
		assert.Equal(t, []string{"validate_input", "validate_input:after-cancel"}, b.all(), "code after CancelWorkflow ran; nothing else did")
	})
	t.Run("an error returned after CancelWorkflow wins", func(t *testing.T) {
		b := newTestbed()
		validate := b.fn("validate_input", func(ctx *graflow.TaskContext) (string, error) {
			ctx.CancelWorkflow(reason)
			return "", errors.New("exploded after cancel")
		})
		_, err := b.run(t, dyFlow(graflow.Chain(validate, b.step("process"))))
		te := asError[*graflow.TaskError](t, err)
		assert.Equal(t, "validate_input", te.TaskID)
		var ce *graflow.WorkflowCanceledError
		assert.False(t, errors.As(err, &ce), "the task's error wins over its cancel")
		assert.Equal(t, 0, b.count("process"))
	})
	canceller := func(b *testbed, name string) *graflow.Task[graflow.None, string] {
		return b.fn(name, func(ctx *graflow.TaskContext) (string, error) {
			ctx.CancelWorkflow("canceled by " + ctx.TaskID())
			return "", nil
		})
	}
	for _, tc := range []struct {
		name   string
		policy graflow.Policy
	}{{"strict", graflow.Strict()}, {"best_effort", graflow.BestEffort()}} {
		name, policy := tc.name, tc.policy
		t.Run("static branch "+name, func(t *testing.T) {
			b := newTestbed()
			g := graflow.Parallel(graflow.Chain(canceller(b, "a"), b.step("a_next")), b.step("other")).WithPolicy(policy)
			_, err := b.run(t, dyFlow(graflow.Chain(b.step("start"), g, b.step("final"))))
			ce := asError[*graflow.WorkflowCanceledError](t, err)
			assert.Equal(t, "a", ce.TaskID)
			assert.Equal(t, "canceled by a", ce.Reason)
			assert.Equal(t, 0, b.count("final"))
			assert.Equal(t, 0, b.count("a_next"))
		})
		for _, width := range []int{3, 60} {
			t.Run(fmt.Sprintf("dynamic child %s width %d", name, width), func(t *testing.T) {
				b := newTestbed()
				w, c := b.step("member"), canceller(b, "canceller")
				nodes := make([]graflow.Node, width)
				for i := range nodes {
					nodes[i] = w.Instance(fmt.Sprintf("m%d", i), nil)
				}
				nodes[width-2] = graflow.Chain(c.Instance("bad", nil), b.step("bad_next"))
				groupNext := b.step("group_next")
				root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
					return "", ctx.NextTask(graflow.Chain(dyParallel(nodes).WithPolicy(policy), groupNext))
				})
				_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("final"))))
				ce := asError[*graflow.WorkflowCanceledError](t, err)
				assert.Equal(t, "bad", ce.TaskID)
				assert.Equal(t, "canceled by bad", ce.Reason)
				for _, s := range []string{"final", "group_next", "bad_next"} {
					assert.Equal(t, 0, b.count(s), s)
				}
			})
		}
	}
	t.Run("nested dynamic child under BestEffort", func(t *testing.T) {
		b := newTestbed()
		inner := []graflow.Node{b.step("x1"), canceller(b, "x2")}
		outer := b.fn("outer", func(ctx *graflow.TaskContext) (string, error) {
			return "", ctx.NextTask(dyParallel(inner).WithPolicy(graflow.BestEffort()))
		})
		dyn := graflow.Parallel(outer, b.step("sibling")).WithPolicy(graflow.BestEffort())
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(dyn) })
		_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("final"))))
		ce := asError[*graflow.WorkflowCanceledError](t, err)
		assert.Equal(t, "x2", ce.TaskID)
		assert.Equal(t, 0, b.count("final"))
	})
}

// ---- fan-out patterns (scenarios 49, 60, 61) --------------------------------------------------

type pathIn struct {
	ParentPath string `json:"parent_path"`
}

// pathTask appends "<parent_path>.<id>" (or "<id>") to the channel list
// "trace" and returns it; then runs next with that path.
func pathTask(b *testbed, name string, next func(ctx *graflow.TaskContext, path string) error) *graflow.Task[pathIn, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, in pathIn) (string, error) {
		b.add(ctx.TaskID())
		path := ctx.TaskID()
		if strings.HasPrefix(path, "integrator_") {
			path = "integrator"
		}
		if in.ParentPath != "" {
			path = in.ParentPath + "." + path
		}
		if _, err := ctx.Channel().Append("trace", path); err != nil {
			return "", err
		}
		if next != nil {
			return path, next(ctx, path)
		}
		return path, nil
	}, graflow.WithRegistry(b.reg))
}

// Scenario 60: each branch of a dynamic group drains its own queue, so an
// endpoint queued by both branches runs twice.
func TestDynamicFanOutMultipleEndpoints(t *testing.T) {
	b := newTestbed()
	integrator := pathTask(b, "integrator", nil)
	toIntegrator := func(ctx *graflow.TaskContext, path string) error {
		return ctx.NextTask(integrator.Instance("", graflow.Params{"parent_path": path}))
	}
	node12 := pathTask(b, "node1_2", toIntegrator)
	node11 := pathTask(b, "node1_1", func(ctx *graflow.TaskContext, path string) error {
		return ctx.NextTask(node12.Instance("node1_2", graflow.Params{"parent_path": path}))
	})
	node2 := pathTask(b, "node2", toIntegrator)
	root := pathTask(b, "root", func(ctx *graflow.TaskContext, path string) error {
		return ctx.NextTask(graflow.Parallel(
			node11.Instance("node1_1", graflow.Params{"parent_path": path}),
			node2.Instance("node2", graflow.Params{"parent_path": path})))
	})
	res, err := b.run(t, dyFlow(root))
	require.NoError(t, err)
	trace := dyGet[[]string](t, res, "trace")
	assert.ElementsMatch(t, []string{
		"root", "root.node1_1", "root.node1_1.node1_2", "root.node1_1.node1_2.integrator",
		"root.node2", "root.node2.integrator",
	}, trace)
	assert.Equal(t, "root", trace[0])
	n := 0
	for _, s := range trace {
		if strings.HasSuffix(s, ".integrator") {
			n++
		}
	}
	assert.Equal(t, 2, n, "the endpoint runs once per branch: %v", trace)
	assert.Len(t, b.all(), 6)
}

// Scenario 61: Chain(Parallel(...), integrator) runs the integrator once in
// the parent, after every branch including what the branches queued.
func TestDynamicFanOutThenFanIn(t *testing.T) {
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) {
			b := newTestbed()
			integrator := pathTask(b, "integrator", nil)
			node12 := pathTask(b, "node1_2", nil)
			node11 := pathTask(b, "node1_1", func(ctx *graflow.TaskContext, path string) error {
				return ctx.NextTask(node12.Instance("node1_2", graflow.Params{"parent_path": path}))
			})
			node2 := pathTask(b, "node2", nil)
			root := pathTask(b, "root", func(ctx *graflow.TaskContext, path string) error {
				g := graflow.Parallel(node11.Instance("node1_1", graflow.Params{"parent_path": path}), node2.Instance("node2", graflow.Params{"parent_path": path}))
				if named {
					g = g.Named("fan")
				}
				return ctx.NextTask(graflow.Chain(g, integrator.Instance("integrator", nil)))
			})
			res, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
			require.NoError(t, err)
			assert.Equal(t, 1, b.count("integrator"))
			i := b.index("integrator")
			for _, id := range []string{"node1_1", "node1_2", "node2"} {
				assert.Equal(t, 1, b.count(id), id)
				assert.Less(t, b.index(id), i, "%s before integrator in %v", id, b.all())
			}
			assert.Equal(t, 1, b.count("after"))
			assert.ElementsMatch(t, []string{"root", "root.node1_1", "root.node1_1.node1_2", "root.node2", "integrator"}, dyGet[[]string](t, res, "trace"))
		})
	}
}

// Scenario 62 (fixed): fan-out-then-fan-in issued from inside a branch —
// static or dynamic — runs the integrator once, in that branch, after both
// of its branches; the outer group's successor runs after that.
func TestDynamicFanInFromInsideBranch(t *testing.T) {
	for _, dynamic := range []bool{false, true} {
		t.Run(fmt.Sprintf("dynamic=%v", dynamic), func(t *testing.T) {
			b := newTestbed()
			fan := graflow.Chain(graflow.Parallel(b.step("n1"), b.step("n2")), b.step("integrator"))
			inner := b.fn("inner_root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(fan) })
			group := graflow.Parallel(inner, b.step("other"))
			var wf *graflow.Workflow
			if dynamic {
				dyn := graflow.Chain(group, b.step("end"))
				root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(dyn) })
				wf = dyFlow(root)
			} else {
				wf = dyFlow(graflow.Chain(b.step("root"), group, b.step("end")))
			}
			res, err := b.run(t, wf)
			require.NoError(t, err)
			assert.Equal(t, 1, b.count("integrator"), "log %v", b.all())
			assert.Less(t, b.index("n1"), b.index("integrator"))
			assert.Less(t, b.index("n2"), b.index("integrator"))
			assert.Less(t, b.index("integrator"), b.index("end"))
			assert.Equal(t, "end", value[string](t, res))
		})
	}
}

// Scenario 49 (fixed) and Graflow's create_workers example: a group built at run
// time from the channel; the workers' writes all reach the parent, and the
// spawning task's successor runs after all of them. 60 members run in
// batch children.
func TestDynamicCreateWorkers(t *testing.T) {
	for _, n := range []int{3, 60} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := newTestbed()
			worker := graflow.NewTask("process_item", func(ctx *graflow.TaskContext, in struct {
				Item string `json:"item"`
			}) (string, error) {
				b.add(ctx.TaskID())
				ch := ctx.Channel()
				if _, err := ch.Append("processed", in.Item); err != nil {
					return "", err
				}
				if _, err := ch.Add("count", 1); err != nil {
					return "", err
				}
				return strings.ToUpper(in.Item), ch.Set("seen_by_"+ctx.TaskID(), in.Item)
			}, graflow.WithRegistry(b.reg))
			create := graflow.NewTask("create_workers", func(ctx *graflow.TaskContext, in struct {
				Items []string `json:"items"`
			}) (int, error) {
				b.add("create_workers")
				workers := make([]graflow.Node, len(in.Items))
				for i, item := range in.Items {
					workers[i] = worker.Instance(fmt.Sprintf("worker_%d", i), graflow.Params{"item": item})
				}
				return len(workers), ctx.NextTask(dyParallel(workers))
			}, graflow.WithRegistry(b.reg))
			aggregate := graflow.NewTask("aggregate", func(ctx *graflow.TaskContext, in struct {
				Processed []string `json:"processed"`
				Count     float64  `json:"count"`
			}) (string, error) {
				b.add("aggregate")
				return fmt.Sprintf("%d/%v", len(in.Processed), in.Count), nil
			}, graflow.WithRegistry(b.reg))

			items := make([]string, n)
			for i := range items {
				items[i] = fmt.Sprintf("item%02d", i)
			}
			res, err := b.run(t, dyFlow(graflow.Chain(create, aggregate)), graflow.InitialChannel(map[string]any{"items": items, "processed": []string{"seed"}, "count": 100}))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%d/%d", n+1, n+100), value[string](t, res))
			assert.ElementsMatch(t, append([]string{"seed"}, items...), dyGet[[]string](t, res, "processed"))
			assert.Equal(t, float64(n+100), dyGet[float64](t, res, "count"))
			for i, item := range items {
				id := fmt.Sprintf("worker_%d", i)
				assert.Equal(t, strings.ToUpper(item), dyGet[string](t, res, graflow.ResultKey(id)), id)
				assert.Equal(t, item, dyGet[string](t, res, "seen_by_"+id))
				assert.Equal(t, 1, b.count(id), id)
			}
			log := b.all()
			assert.Equal(t, "create_workers", log[0])
			assert.Equal(t, "aggregate", log[len(log)-1])
			assert.Equal(t, 1, b.count("aggregate"))
		})
	}
}

// Branches of a dynamic group start from the parent's channel, including
// what the spawning task wrote, and see none of their siblings' writes.
func TestDynamicBranchesSeeSnapshot(t *testing.T) {
	b := newTestbed()
	reader := graflow.NewTask("reader", func(ctx *graflow.TaskContext, in struct {
		Seed    string `json:"seed"`
		Sibling *int   `json:"sibling"`
	}) (string, error) {
		if err := ctx.Channel().Set("sibling", 1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s/%v", in.Seed, in.Sibling != nil), nil
	}, graflow.WithRegistry(b.reg))
	root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
		if err := ctx.Channel().Set("seed", "from root"); err != nil {
			return "", err
		}
		return "", ctx.NextTask(graflow.Parallel(reader.Instance("r1", nil), reader.Instance("r2", nil)))
	})
	res, err := b.run(t, dyFlow(root))
	require.NoError(t, err)
	assert.Equal(t, "from root/false", dyGet[string](t, res, graflow.ResultKey("r1")))
	assert.Equal(t, "from root/false", dyGet[string](t, res, graflow.ResultKey("r2")))
}

// ---- joins and policies of dynamic groups --------------------------------------------------------

func TestDynamicJoins(t *testing.T) {
	t.Run("a dynamic chain into a static join runs it once, after both", func(t *testing.T) {
		b := newTestbed()
		after := b.step("after")
		p := b.step("p")
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
			return "", ctx.NextTask(graflow.Chain(p, after))
		})
		res, err := b.run(t, dyFlow(graflow.Chain(root, after)))
		require.NoError(t, err)
		assert.Equal(t, []string{"root", "p", "after"}, b.all())
		assert.Equal(t, "after", value[string](t, res))
	})
	t.Run("a dynamic group in the middle of a dynamic chain", func(t *testing.T) {
		b := newTestbed()
		dyn := graflow.Chain(b.step("a"), graflow.Parallel(b.step("b"), b.step("c")), b.step("d"))
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(dyn) })
		_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
		require.NoError(t, err)
		log := b.all()
		assert.ElementsMatch(t, []string{"root", "a", "b", "c", "d", "after"}, log)
		assert.Equal(t, []string{"root", "a"}, log[:2])
		assert.Equal(t, "d", log[len(log)-1], "d joins the group, once, after both members")
	})
	t.Run("a join across dynamic branches runs once, after both", func(t *testing.T) {
		b := newTestbed()
		j, a, bb := b.step("j"), b.step("a"), b.step("bb")
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
			return "", ctx.NextTask(graflow.Parallel(graflow.Chain(a, j), graflow.Chain(bb, j)))
		})
		_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
		require.NoError(t, err)
		assert.Equal(t, 1, b.count("j"), "log %v", b.all())
		assert.Less(t, b.index("a"), b.index("j"))
		assert.Less(t, b.index("bb"), b.index("j"))
	})
	t.Run("a join across static branches inside a dynamic branch runs once", func(t *testing.T) {
		b := newTestbed()
		j := b.step("j")
		inner := graflow.Parallel(graflow.Chain(b.step("a"), j), graflow.Chain(b.step("bb"), j))
		dyn := graflow.Parallel(graflow.Chain(b.step("pre"), inner), b.step("other"))
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) { return "", ctx.NextTask(dyn) })
		_, err := b.run(t, dyFlow(graflow.Chain(root, b.step("after"))))
		require.NoError(t, err)
		assert.Equal(t, 1, b.count("j"), "log %v", b.all())
	})
}

func TestDynamicGroupPolicies(t *testing.T) {
	build := func(b *testbed, width int, policy graflow.Policy, name string) *graflow.Workflow {
		ok := graflow.NewTask("ok", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			b.add(ctx.TaskID())
			_, err := ctx.Channel().Append("written", ctx.TaskID())
			return ctx.TaskID(), err
		}, graflow.WithRegistry(b.reg))
		bad := graflow.NewTask("bad", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			b.add(ctx.TaskID())
			if _, err := ctx.Channel().Append("written", ctx.TaskID()); err != nil {
				return "", err
			}
			return "", fmt.Errorf("%s exploded", ctx.TaskID())
		}, graflow.WithRegistry(b.reg))
		nodes := make([]graflow.Node, width)
		for i := range nodes {
			nodes[i] = ok.Instance(fmt.Sprintf("ok%d", i), nil)
		}
		nodes[1] = bad.Instance("bad1", nil)
		root := b.fn("root", func(ctx *graflow.TaskContext) (string, error) {
			g := dyParallel(nodes)
			if name != "" {
				g = g.Named(name)
			}
			if policy != nil {
				g = g.WithPolicy(policy)
			}
			return "", ctx.NextTask(g)
		})
		return dyFlow(graflow.Chain(root, b.step("after")))
	}
	for _, width := range []int{3, 60} {
		t.Run(fmt.Sprintf("strict width %d", width), func(t *testing.T) {
			b := newTestbed()
			_, err := b.run(t, build(b, width, nil, "fan"))
			ge := asError[*graflow.ParallelGroupError](t, err)
			assert.Equal(t, "fan", ge.GroupID)
			require.Len(t, ge.Failed, 1)
			assert.Equal(t, "bad1", ge.Failed[0].TaskID)
			assert.Contains(t, ge.Failed[0].Message, "bad1 exploded")
			assert.Len(t, ge.Succeeded, width-1)
			assert.Equal(t, 0, b.count("after"))
		})
		t.Run(fmt.Sprintf("best effort width %d", width), func(t *testing.T) {
			b := newTestbed()
			res, err := b.run(t, build(b, width, graflow.BestEffort(), ""))
			require.NoError(t, err)
			assert.Equal(t, 1, b.count("after"))
			written := dyGet[[]string](t, res, "written")
			assert.Len(t, written, width-1)
			assert.NotContains(t, written, "bad1", "a failed branch's writes are discarded")
			assert.False(t, res.Channel.Has(graflow.ResultKey("bad1")))
		})
	}
	t.Run("auto-named group", func(t *testing.T) {
		b := newTestbed()
		_, err := b.run(t, build(b, 3, graflow.Strict(), ""))
		ge := asError[*graflow.ParallelGroupError](t, err)
		assert.True(t, strings.HasPrefix(ge.GroupID, "ParallelGroup_"), ge.GroupID)
		assert.Equal(t, "bad1", ge.Failed[0].TaskID)
	})
}

// Unnamed groups spawned again get fresh ids, and repeated spawns of the
// same members all run.
func TestDynamicRepeatedSpawns(t *testing.T) {
	b := newTestbed()
	x, y := b.step("x"), b.step("y")
	spawner := b.fn("spawner", func(ctx *graflow.TaskContext) (string, error) {
		if err := ctx.NextTask(graflow.Parallel(x, y)); err != nil {
			return "", err
		}
		if ctx.Cycle() < 3 {
			return "", ctx.NextIteration(nil)
		}
		return "spawned", nil
	})
	wf := dyFlow(graflow.Chain(spawner, graflow.Parallel(b.step("s1"), b.step("s2")), b.step("after")))
	_, err := b.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 3, b.count("x"), "log %v", b.all())
	assert.Equal(t, 3, b.count("y"), "log %v", b.all())
	assert.Equal(t, 1, b.count("s1"))
	assert.Equal(t, 1, b.count("after"))
}

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

func TestDynamicSmoke(t *testing.T) {
	reg := graflow.NewRegistry()
	rec := &runLog{}
	//lint:ignore S1021 the task's body refers to the variable itself
	var worker *graflow.Task[struct {
		N int `json:"n"`
	}, int]
	worker = graflow.NewTask("worker", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		rec.add(ctx.TaskID())
		_, err := ctx.Channel().Add("total", float64(in.N))
		return in.N, err
	}, graflow.WithRegistry(reg))
	fan := graflow.NewTask("fan", func(ctx *graflow.TaskContext, in struct {
		Width int `json:"width"`
	}) (string, error) {
		rec.add("fan")
		nodes := make([]graflow.Node, in.Width)
		for i := range nodes {
			nodes[i] = worker.Instance(fmt.Sprintf("w%d", i), graflow.Params{"n": i})
		}
		return "fanned", ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...))
	}, graflow.WithRegistry(reg))
	after := graflow.NewTask("after", func(ctx *graflow.TaskContext, in struct {
		Total float64 `json:"total"`
	}) (float64, error) {
		rec.add("after")
		return in.Total, nil
	}, graflow.WithRegistry(reg))

	for _, width := range []int{3, 60} {
		rec.log = nil
		wf := graflow.NewWorkflow("dyn")
		wf.Add(graflow.Chain(fan.Instance("fan", graflow.Params{"width": width}), after))
		res, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
		require.NoError(t, err)
		var total float64
		require.NoError(t, res.Value(&total))
		require.Equal(t, float64(width*(width-1)/2), total)
		require.Len(t, rec.log, width+2)
		require.Equal(t, "after", rec.log[len(rec.log)-1])
	}
}
