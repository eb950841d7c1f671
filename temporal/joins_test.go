package temporal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJoinWhoseOtherPredecessorCannotRun(t *testing.T) {
	tb := newTestbed()
	x, j, a := tb.task("x"), tb.task("j"), tb.task("a")
	wf := graflow.NewWorkflow("join_dead_pred")
	wf.Add(graflow.Chain(x, j), graflow.Chain(a, j))
	res, err := tb.run(t, wf, graflow.Start("a"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "j"}, tb.all())
	assert.Equal(t, "j", value[string](t, res))
}

func TestPlainDiamondSinkRunsOnceAfterBoth(t *testing.T) {
	tb := newTestbed()
	a, b, c := tb.task("a"), tb.task("b"), tb.task("c")
	d := graflow.NewTask("d", func(ctx *graflow.TaskContext, in struct {
		B string `json:"b"`
		C string `json:"c"`
	}) (string, error) {
		tb.add("d")
		return in.B + "+" + in.C, nil
	}, graflow.WithRegistry(tb.reg))
	wf := graflow.NewWorkflow("plain_diamond")
	wf.Add(graflow.Chain(a, b, d), graflow.Chain(a, c, d))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, tb.all())
	assert.Equal(t, "b+c", value[string](t, res), "the sink saw both predecessors' results")
}

func TestJoinOfPathsOfDifferentLength(t *testing.T) {
	tb := newTestbed()
	a, b, c, d := tb.task("a"), tb.task("b"), tb.task("c"), tb.task("d")
	wf := graflow.NewWorkflow("uneven")
	wf.Add(graflow.Chain(a, b, c, d), graflow.Chain(a, d))
	res, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, tb.all())
	assert.Equal(t, "d", value[string](t, res))
}

// A node with several static predecessors runs once, after
// every predecessor has finished or can no longer run in this run. When the
// predecessors sit in different branches of a parallel group, each branch's
// scope releases the join on its own (the other predecessor is not
// reachable from that branch's queue), so the join runs once per branch.
func TestJoinAcrossBranchesRunsOnce(t *testing.T) {
	tb := newTestbed()
	a, b, j, after := tb.task("a"), tb.task("b"), tb.task("j"), tb.task("after")
	wf := graflow.NewWorkflow("join_across_branches")
	wf.Add(graflow.Chain(graflow.Parallel(graflow.Chain(a, j), graflow.Chain(b, j)), after))
	_, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 1, tb.count("j"), "log %v", tb.all())
	assert.True(t, tb.before("a", "j") && tb.before("b", "j"), "log %v", tb.all())
	assert.Equal(t, 1, tb.count("after"))
}

// The same gap with a join that is also the group's successor: c follows
// the group and, by a plain edge, the member a. a's branch releases c (the
// group is not reachable from inside the branch), then the group runs it
// again.
func TestJoinOfGroupAndMemberRunsOnce(t *testing.T) {
	tb := newTestbed()
	a, b, c := tb.task("a"), tb.task("b"), tb.task("c")
	wf := graflow.NewWorkflow("join_group_and_member")
	wf.Add(graflow.Chain(graflow.Parallel(a, b), c), graflow.Chain(a, c))
	_, err := tb.run(t, wf)
	require.NoError(t, err)
	assert.Equal(t, 1, tb.count("c"), "log %v", tb.all())
	assert.True(t, tb.before("a", "c") && tb.before("b", "c"), "log %v", tb.all())
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
			assert.Equal(t, tt.agentRuns, tb.count("agent"))
			assert.Equal(t, tt.toolRuns, tb.count("tool"))
		})
	}
}

func TestMaxStepsEndsCycleSilently(t *testing.T) {
	tb := newTestbed()
	mk := func(name string) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			tb.add(name)
			return fmt.Sprintf("%s-%d", name, ctx.Cycle()), nil
		}, graflow.WithRegistry(tb.reg))
	}
	agent, tool := mk("agent"), mk("tool")
	wf := graflow.NewWorkflow("bounded", graflow.WithMaxSteps(5))
	wf.Add(graflow.Chain(agent, tool, agent))
	res, err := tb.run(t, wf, graflow.Start("agent"))
	require.NoError(t, err)
	assert.Equal(t, []string{"agent", "tool", "agent", "tool", "agent"}, tb.all())
	assert.Equal(t, "agent-3", value[string](t, res))
	var last string
	require.NoError(t, res.Channel.Get(graflow.ResultKey("tool"), &last))
	assert.Equal(t, "tool-2", last)
}

// ---- parallel groups --------------------------------------------------------
