package temporal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
			assert.Zero(t, tb.count("after"), "the group's successor does not run")
			assert.Equal(t, 1, tb.count("bad"))
		})
	}
}

func TestBestEffortGroupDiscardsFailedBranch(t *testing.T) {
	tb := newTestbed()
	after := graflow.NewTask("after", func(ctx *graflow.TaskContext, in struct {
		Good string  `json:"good"`
		W    *string `json:"w"`
	}) (string, error) {
		tb.add("after")
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
	assert.Equal(t, 1, tb.count("after"))
	assert.True(t, tb.before("w", "bad"))

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
				assert.Equal(t, 1, tb.count("after"))
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
			assert.Zero(t, tb.count("after"))
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
				assert.Equal(t, 1, tb.count("after"))
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
			assert.Zero(t, tb.count("after"))
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
				assert.Equal(t, 1, tb.count(leaf), leaf)
				assert.True(t, tb.before(leaf, "after"), leaf)
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
	assert.Zero(t, tb.count("after"))
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
			tb.add(name)
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
	assert.True(t, tb.before("a", "b"))
	assert.Equal(t, 1, tb.count("b"))

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
			tb.add(name)
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
