package temporal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

// testbed is one registry with a run log and helpers to make tasks in it.
type testbed struct {
	reg *graflow.Registry
	log *runLog
}

func newTestbed() *testbed { return &testbed{reg: graflow.NewRegistry(), log: &runLog{}} }

// task returns a task that logs its name and returns it.
func (tb *testbed) task(name string, opts ...graflow.TaskOption) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.log.add(name)
		return name, nil
	}, append(opts, graflow.WithRegistry(tb.reg))...)
}

// failing returns a task that logs its name, writes "<name>_key" and fails.
func (tb *testbed) failing(name string) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.log.add(name)
		_ = ctx.Channel().Set(name+"_key", "written by "+name)
		return "", fmt.Errorf("%s exploded", name)
	}, graflow.WithRegistry(tb.reg))
}

// writer returns a task that logs its name, writes "<name>_key" and returns its name.
func (tb *testbed) writer(name string) *graflow.Task[graflow.None, string] {
	return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
		tb.log.add(name)
		return name, ctx.Channel().Set(name+"_key", "written by "+name)
	}, graflow.WithRegistry(tb.reg))
}

func (tb *testbed) run(t *testing.T, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	t.Helper()
	return wf.Execute(context.Background(), graflowtest.NewExecutor(tb.reg), opts...)
}

func value[T any](t *testing.T, res *graflow.Result) T {
	t.Helper()
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

func TestJoinWhoseOtherPredecessorCannotRun(t *testing.T) {
	tb := newTestbed()
	x, j, a := tb.task("x"), tb.task("j"), tb.task("a")
	wf := graflow.NewWorkflow("join_dead_pred")
	wf.Add(graflow.Chain(x, j), graflow.Chain(a, j))
	res, err := tb.run(t, wf, graflow.Start("a"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "j"}, tb.log.all())
	assert.Equal(t, "j", value[string](t, res))
}

func TestPlainDiamondSinkRunsOnceAfterBoth(t *testing.T) {
	tb := newTestbed()
	a, b, c := tb.task("a"), tb.task("b"), tb.task("c")
	d := graflow.NewTask("d", func(ctx *graflow.TaskContext, in struct {
		B string `json:"b"`
		C string `json:"c"`
	}) (string, error) {
		tb.log.add("d")
		return in.B + "+" + in.C, nil
	}, graflow.WithRegistry(tb.reg))
	wf := graflow.NewWorkflow("plain_diamond")
	wf.Add(graflow.Chain(a, b, d), graflow.Chain(a, c, d))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, tb.log.all())
	assert.Equal(t, "b+c", value[string](t, res), "the sink saw both predecessors' results")
}

func TestJoinOfPathsOfDifferentLength(t *testing.T) {
	tb := newTestbed()
	a, b, c, d := tb.task("a"), tb.task("b"), tb.task("c"), tb.task("d")
	wf := graflow.NewWorkflow("uneven")
	wf.Add(graflow.Chain(a, b, c, d), graflow.Chain(a, d))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, tb.log.all())
	assert.Equal(t, "d", value[string](t, res))
}

// DESIGN §4.4: a node with several static predecessors runs once, after
// every predecessor has finished or can no longer run in this run. When the
// predecessors sit in different branches of a parallel group, each branch's
// scope releases the join on its own (the other predecessor is not
// reachable from that branch's queue), so the join runs once per branch.
// FAILS today: the log is [a b j j after] (or [b a j j after]).
func TestJoinAcrossBranchesRunsOnce(t *testing.T) {
	tb := newTestbed()
	a, b, j, after := tb.task("a"), tb.task("b"), tb.task("j"), tb.task("after")
	wf := graflow.NewWorkflow("join_across_branches")
	wf.Add(graflow.Chain(graflow.Parallel(graflow.Chain(a, j), graflow.Chain(b, j)), after))
	_, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 1, tb.log.count("j"), "log %v", tb.log.all())
	assert.True(t, tb.log.before("a", "j") && tb.log.before("b", "j"), "log %v", tb.log.all())
	assert.Equal(t, 1, tb.log.count("after"))
}

// The same gap with a join that is also the group's successor: c follows
// the group and, by a plain edge, the member a. a's branch releases c (the
// group is not reachable from inside the branch), then the group runs it
// again. FAILS today: the log is [a b c c].
func TestJoinOfGroupAndMemberRunsOnce(t *testing.T) {
	tb := newTestbed()
	a, b, c := tb.task("a"), tb.task("b"), tb.task("c")
	wf := graflow.NewWorkflow("join_group_and_member")
	wf.Add(graflow.Chain(graflow.Parallel(a, b), c), graflow.Chain(a, c))
	_, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 1, tb.log.count("c"), "log %v", tb.log.all())
	assert.True(t, tb.log.before("a", "c") && tb.log.before("b", "c"), "log %v", tb.log.all())
}

// ---- cycles and steps -------------------------------------------------------

func TestStaticCycleWithoutExitHitsCycleLimit(t *testing.T) {
	tests := []struct {
		name                string
		agentOpts, toolOpts []graflow.TaskOption
		wantTask            string
		wantMax             int
		agentRuns, toolRuns int
	}{
		{"default limit", nil, nil, "agent", graflow.DefaultMaxCycles, 10, 10},
		{"agent WithMaxCycles(3)", []graflow.TaskOption{graflow.WithMaxCycles(3)}, nil, "agent", 3, 3, 3},
		{"tool WithMaxCycles(2)", nil, []graflow.TaskOption{graflow.WithMaxCycles(2)}, "tool", 2, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			agent, tool := tb.task("agent", tt.agentOpts...), tb.task("tool", tt.toolOpts...)
			wf := graflow.NewWorkflow("loop")
			wf.Add(graflow.Chain(agent, tool, agent))
			_, err := tb.run(t, wf, graflow.Start("agent"))
			require.Error(t, err)
			var le *graflow.CycleLimitError
			require.True(t, errors.As(err, &le), "not a CycleLimitError: %T %v", err, err)
			assert.Equal(t, tt.wantTask, le.TaskID)
			assert.Equal(t, tt.wantMax, le.MaxCycles)
			// Cycle is the run that was refused: one more than allowed.
			assert.Equal(t, tt.wantMax+1, le.Cycle)
			assert.Equal(t, tt.agentRuns, tb.log.count("agent"))
			assert.Equal(t, tt.toolRuns, tb.log.count("tool"))
		})
	}
}

func TestMaxStepsEndsCycleSilently(t *testing.T) {
	tb := newTestbed()
	mk := func(name string) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			tb.log.add(name)
			return fmt.Sprintf("%s-%d", name, ctx.Cycle()), nil
		}, graflow.WithRegistry(tb.reg))
	}
	agent, tool := mk("agent"), mk("tool")
	wf := graflow.NewWorkflow("bounded", graflow.WithMaxSteps(5))
	wf.Add(graflow.Chain(agent, tool, agent))
	res, err := tb.run(t, wf, graflow.Start("agent"))
	require.NoError(t, err)
	assert.Equal(t, []string{"agent", "tool", "agent", "tool", "agent"}, tb.log.all())
	assert.Equal(t, "agent-3", value[string](t, res))
	var last string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("tool"), &last))
	assert.Equal(t, "tool-2", last)
}

// ---- parallel groups --------------------------------------------------------

func TestStrictGroupWithFailingMember(t *testing.T) {
	tests := []struct {
		name   string
		named  string
		wantID string
	}{
		{"auto name", "", "ParallelGroup_1"},
		{"named", "fan", "fan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			g := graflow.Parallel(tb.task("a"), tb.failing("bad"), tb.task("c"))
			if tt.named != "" {
				g = g.Named(tt.named)
			}
			wf := graflow.NewWorkflow("strict")
			wf.Add(graflow.Chain(tb.task("start"), g, tb.task("after")))
			_, err := tb.run(t, wf)
			ge := groupError(t, err)
			assert.Equal(t, tt.wantID, ge.GroupID)
			assert.Equal(t, "strict", ge.Policy)
			require.Len(t, ge.Failed, 1)
			assert.Equal(t, "bad", ge.Failed[0].TaskID)
			assert.Contains(t, ge.Failed[0].Message, "bad exploded")
			assert.Equal(t, []string{"a", "c"}, ge.Succeeded, "every branch is waited for (Strict does not fail fast)")
			assert.Zero(t, tb.log.count("after"), "the group's successor does not run")
			assert.Equal(t, 1, tb.log.count("bad"))
		})
	}
}

func TestBestEffortGroupDiscardsFailedBranch(t *testing.T) {
	tb := newTestbed()
	after := graflow.NewTask("after", func(ctx *graflow.TaskContext, in struct {
		Good string  `json:"good"`
		W    *string `json:"w"`
	}) (string, error) {
		tb.log.add("after")
		return fmt.Sprintf("good=%s w-present=%v", in.Good, in.W != nil), nil
	}, graflow.WithRegistry(tb.reg))
	// The failing branch is a chain: w succeeds and writes, then bad fails;
	// all of the branch's writes are discarded.
	g := graflow.Parallel(graflow.Chain(tb.writer("w"), tb.failing("bad")), tb.writer("good")).WithPolicy(graflow.BestEffort())
	wf := graflow.NewWorkflow("best_effort")
	wf.Add(graflow.Chain(g, tb.task("mid"), after))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, "good=good w-present=false", value[string](t, res))
	assert.Equal(t, 1, tb.log.count("after"))
	assert.True(t, tb.log.before("w", "bad"))

	ch := res.Channel
	assert.True(t, ch.Has("good_key"))
	assert.True(t, ch.Has(graflow.ResultKey("good")))
	for _, k := range []string{"w_key", graflow.ResultKey("w"), "bad_key", graflow.ResultKey("bad")} {
		assert.False(t, ch.Has(k), "failed branch's %q leaked into the channel", k)
	}
}

func TestAtLeastPolicy(t *testing.T) {
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"AtLeast(2) of 3 with one failure", 2, true},
		{"AtLeast(3) of 3 with one failure", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			g := graflow.Parallel(tb.writer("a"), tb.failing("bad"), tb.writer("c")).WithPolicy(graflow.AtLeast(tt.n))
			wf := graflow.NewWorkflow("at_least")
			wf.Add(graflow.Chain(g, tb.task("after")))
			res, err := tb.run(t, wf)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, 1, tb.log.count("after"))
				assert.True(t, res.Channel.Has("a_key"))
				assert.True(t, res.Channel.Has("c_key"))
				assert.False(t, res.Channel.Has("bad_key"))
				return
			}
			ge := groupError(t, err)
			assert.Equal(t, "ParallelGroup_1", ge.GroupID)
			assert.Equal(t, "at_least", ge.Policy)
			require.Len(t, ge.Failed, 1)
			assert.Equal(t, "bad", ge.Failed[0].TaskID)
			assert.Equal(t, []string{"a", "c"}, ge.Succeeded)
			assert.Zero(t, tb.log.count("after"))
		})
	}
}

func TestCriticalOnlyPolicy(t *testing.T) {
	tests := []struct {
		name       string
		critical   []string
		wantFailed []string // nil = the group succeeds
	}{
		{"non-critical failures tolerated", []string{"ok"}, nil},
		{"critical member fails", []string{"bad1"}, []string{"bad1"}},
		{"two critical members fail", []string{"bad1", "bad2"}, []string{"bad1", "bad2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			g := graflow.Parallel(tb.writer("ok"), tb.failing("bad1"), tb.failing("bad2")).
				Named("crit").WithPolicy(graflow.CriticalOnly(tt.critical...))
			wf := graflow.NewWorkflow("critical")
			wf.Add(graflow.Chain(g, tb.task("after")))
			res, err := tb.run(t, wf)
			if tt.wantFailed == nil {
				require.NoError(t, err)
				assert.Equal(t, 1, tb.log.count("after"))
				assert.True(t, res.Channel.Has("ok_key"))
				assert.False(t, res.Channel.Has("bad1_key"))
				return
			}
			ge := groupError(t, err)
			assert.Equal(t, "crit", ge.GroupID)
			assert.Equal(t, "critical", ge.Policy)
			var failed []string
			for _, f := range ge.Failed {
				failed = append(failed, f.TaskID)
				assert.Contains(t, f.Message, f.TaskID+" exploded")
			}
			// Only the critical failures are listed.
			assert.Equal(t, tt.wantFailed, failed)
			assert.Equal(t, []string{"ok"}, ge.Succeeded)
			assert.Zero(t, tb.log.count("after"))
		})
	}
}

func TestNestedGroupsRunAllLeaves(t *testing.T) {
	tests := []struct {
		name  string
		group func(tb *testbed) graflow.Node
	}{
		{"named inner group", func(tb *testbed) graflow.Node {
			return graflow.Parallel(tb.writer("a"), graflow.Parallel(tb.writer("b"), tb.writer("c")).Named("inner"))
		}},
		{"inner group with a policy", func(tb *testbed) graflow.Node {
			return graflow.Parallel(tb.writer("a"), graflow.Parallel(tb.writer("b"), tb.writer("c")).WithPolicy(graflow.BestEffort()))
		}},
		{"NewParallelGroup keeps an unnamed inner group", func(tb *testbed) graflow.Node {
			return graflow.NewParallelGroup([]graflow.Node{tb.writer("a"), graflow.Parallel(tb.writer("b"), tb.writer("c"))}, graflow.GroupOptions{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTestbed()
			wf := graflow.NewWorkflow("nested")
			wf.Add(graflow.Chain(tt.group(tb), tb.task("after")))
			res, err := tb.run(t, wf)
			require.NoError(t, err)
			for _, leaf := range []string{"a", "b", "c"} {
				assert.Equal(t, 1, tb.log.count(leaf), leaf)
				assert.True(t, tb.log.before(leaf, "after"), leaf)
				assert.True(t, res.Channel.Has(leaf+"_key"), "writes of %s merged through both levels", leaf)
			}
			assert.Equal(t, "after", value[string](t, res))
		})
	}
}

func TestNestedGroupFailureIsReportedByOuterGroup(t *testing.T) {
	tb := newTestbed()
	inner := graflow.Parallel(tb.writer("b"), tb.failing("bad")).Named("inner")
	wf := graflow.NewWorkflow("nested_fail")
	wf.Add(graflow.Chain(graflow.Parallel(tb.writer("a"), inner).Named("outer"), tb.task("after")))
	_, err := tb.run(t, wf)
	ge := groupError(t, err)
	assert.Equal(t, "outer", ge.GroupID)
	require.Len(t, ge.Failed, 1)
	assert.Equal(t, "inner", ge.Failed[0].TaskID)
	assert.Contains(t, ge.Failed[0].Message, "bad exploded")
	assert.Equal(t, []string{"a"}, ge.Succeeded)
	assert.Zero(t, tb.log.count("after"))
}

func TestChainInsideBranch(t *testing.T) {
	tb := newTestbed()
	type saw struct {
		AResult *string `json:"a_result"`
		AKey    string  `json:"a_key"`
		KeyErr  string  `json:"key_err"`
	}
	observe := func(name string) *graflow.Task[struct {
		A *string `json:"a"`
	}, saw] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, in struct {
			A *string `json:"a"`
		}) (saw, error) {
			tb.log.add(name)
			s := saw{AResult: in.A}
			if err := ctx.Channel().Get("a_key", &s.AKey); err != nil {
				if !errors.Is(err, graflow.ErrKeyNotFound) {
					return s, err
				}
				s.KeyErr = "not found"
			}
			return s, nil
		}, graflow.WithRegistry(tb.reg), graflow.WithReads("a_key"))
	}
	b, c := observe("b"), observe("c")
	wf := graflow.NewWorkflow("branch_chain")
	wf.Add(graflow.Chain(graflow.Parallel(graflow.Chain(tb.writer("a"), b), c), tb.task("after")))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.True(t, tb.log.before("a", "b"))
	assert.Equal(t, 1, tb.log.count("b"))

	var sb, sc saw
	require.NoError(t, res.Channel.Get(graflow.ResultKey("b"), &sb))
	require.NoError(t, res.Channel.Get(graflow.ResultKey("c"), &sc))
	require.NotNil(t, sb.AResult, "b gets a's result as its parameter")
	assert.Equal(t, "a", *sb.AResult)
	assert.Equal(t, "written by a", sb.AKey, "b sees a's writes")
	assert.Nil(t, sc.AResult, "c's branch started before a ran")
	assert.Equal(t, "not found", sc.KeyErr, "c does not see a's writes")
}

func TestBranchResultsReachGroupSuccessor(t *testing.T) {
	tb := newTestbed()
	num := func(name string, n int) *graflow.Task[graflow.None, int] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
			tb.log.add(name)
			return n, nil
		}, graflow.WithRegistry(tb.reg))
	}
	sum := graflow.NewTask("sum", func(ctx *graflow.TaskContext, in struct {
		X int `json:"x"`
		Y int `json:"y"`
		Q int `json:"q"`
	}) (int, error) {
		return in.X + in.Y + in.Q, nil
	}, graflow.WithRegistry(tb.reg))
	wf := graflow.NewWorkflow("fan_in")
	// q ends a chain inside a branch; its result also reaches the successor.
	wf.Add(graflow.Chain(graflow.Parallel(num("x", 3), num("y", 4), graflow.Chain(num("p", 1), num("q", 100))), sum))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 107, value[int](t, res))
}

func TestRunValueIsNullWhenLastNodeIsGroup(t *testing.T) {
	tb := newTestbed()
	wf := graflow.NewWorkflow("ends_in_group")
	wf.Add(graflow.Chain(tb.task("first"), graflow.Parallel(tb.task("a"), tb.task("b"))))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.JSONEq(t, `null`, string(res.Raw()))
	var v any = "unset"
	require.NoError(t, res.Value(&v))
	assert.Nil(t, v)
	var a string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("a"), &a))
	assert.Equal(t, "a", a)
}

// ---- payload limits, routing, retries ----------------------------------------

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
				tb.log.add("consume")
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
			assert.Zero(t, tb.log.count("consume"), "the task must not run")
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
	assert.Zero(t, tb.log.count("after"))
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
