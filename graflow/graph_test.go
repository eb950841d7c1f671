package graflow_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type xyIn struct {
	X int `json:"x"`
	Y int `json:"y"`
}

func add(_ *graflow.TaskContext, in xyIn) (int, error) { return in.X + in.Y, nil }

func TestGraphBuilding(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c", "d", "e", "f", "g", "h", "s", "x", "y", "v", "p", "q")
	a, b, c, d, e, f, g, h := ts["a"], ts["b"], ts["c"], ts["d"], ts["e"], ts["f"], ts["g"], ts["h"]
	tests := []struct {
		name  string
		node  graflow.Node
		nodes []string
		edges []string
	}{
		{"single", a, []string{"a"}, nil},
		{"chain", graflow.Chain(a, b, c), []string{"a", "b", "c"}, []string{"a->b", "b->c"}},
		{"chain of one", graflow.Chain(a), []string{"a"}, nil},
		{"chain into chain", graflow.Chain(graflow.Chain(a, b), graflow.Chain(c, d)),
			[]string{"a", "b", "c", "d"}, []string{"a->b", "b->c", "c->d"}},
		{"(a >> b) >> c", graflow.Chain(graflow.Chain(a, b), c), []string{"a", "b", "c"}, []string{"a->b", "b->c"}},
		{"a >> (b >> c)", graflow.Chain(a, graflow.Chain(b, c)), []string{"a", "b", "c"}, []string{"a->b", "b->c"}},
		{"group", graflow.Parallel(a, b, c), []string{"a", "b", "c", "ParallelGroup_1[a b c]"}, nil},
		{"group then task: group-level edge only", graflow.Chain(graflow.Parallel(a, b), c),
			[]string{"a", "b", "ParallelGroup_1[a b]", "c"}, []string{"ParallelGroup_1->c"}},
		{"task then group", graflow.Chain(c, graflow.Parallel(a, b)),
			[]string{"c", "a", "b", "ParallelGroup_1[a b]"}, []string{"c->ParallelGroup_1"}},
		{"(a >> b) | c", graflow.Parallel(graflow.Chain(a, b), c),
			[]string{"a", "b", "c", "ParallelGroup_1[a c]"}, []string{"a->b"}},
		{"a | (b >> c)", graflow.Parallel(a, graflow.Chain(b, c)),
			[]string{"a", "b", "c", "ParallelGroup_1[a b]"}, []string{"b->c"}},
		{"nested unnamed groups are flattened", graflow.Parallel(graflow.Parallel(a, b), graflow.Parallel(c, d)),
			[]string{"a", "b", "c", "d", "ParallelGroup_1[a b c d]"}, nil},
		{"group with a policy is not flattened", graflow.Parallel(a, graflow.Parallel(b, c).WithPolicy(graflow.BestEffort())),
			[]string{"a", "b", "c", "ParallelGroup_2[b c]", "ParallelGroup_1[a ParallelGroup_2]"}, nil},
		{"named group is not flattened", graflow.Parallel(a, graflow.Parallel(b, c).Named("inner")),
			[]string{"a", "b", "c", "inner[b c]", "ParallelGroup_1[a inner]"}, nil},
		{"auto ids in order met", graflow.Chain(a, graflow.Parallel(b, c), d, graflow.Parallel(e, f, g), h),
			[]string{"a", "b", "c", "ParallelGroup_1[b c]", "d", "e", "f", "g", "ParallelGroup_2[e f g]", "h"},
			[]string{"a->ParallelGroup_1", "ParallelGroup_1->d", "d->ParallelGroup_2", "ParallelGroup_2->h"}},
		{"named", graflow.Chain(graflow.Parallel(a, b, c).Named("my_parallel_tasks"), d),
			[]string{"a", "b", "c", "my_parallel_tasks[a b c]", "d"}, []string{"my_parallel_tasks->d"}},
		{"static cycle", graflow.Chain(a, b, a), []string{"a", "b"}, []string{"a->b", "b->a"}},
		{"instances", graflow.Chain(a.Instance("a1", nil), a.Instance("a2", nil)), []string{"a1", "a2"}, []string{"a1->a2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, edges := graphOf(t, tt.node)
			assert.Equal(t, tt.nodes, nodes)
			assert.Equal(t, tt.edges, edges)
		})
	}
}

func TestGraphGroupAddedTwiceKeepsItsID(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c", "d", "e", "f")
	grp := graflow.Parallel(ts["a"], ts["b"])
	wf := graflow.NewWorkflow("w")
	wf.Add(graflow.Chain(grp, ts["c"]))
	wf.Add(graflow.Parallel(ts["e"], ts["f"]))
	wf.Add(graflow.Chain(grp, ts["d"]))
	require.NoError(t, wf.Validate())
	nodes, edges := describe(wf)
	assert.Equal(t, []string{"a", "b", "ParallelGroup_1[a b]", "c", "e", "f", "ParallelGroup_2[e f]", "d"}, nodes)
	assert.Equal(t, []string{"ParallelGroup_1->c", "ParallelGroup_1->d"}, edges)
}

func TestGraphOneIDOneNode(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c")
	wf := graflow.NewWorkflow("w")
	wf.Add(graflow.Chain(ts["a"], ts["b"]))
	wf.Add(graflow.Chain(ts["a"], ts["c"]), ts["b"])
	inst := ts["a"].Instance("i", nil)
	wf.Add(inst, inst)
	require.NoError(t, wf.Validate())
	nodes, edges := describe(wf)
	assert.Equal(t, []string{"a", "b", "c", "i"}, nodes)
	assert.Equal(t, []string{"a->b", "a->c"}, edges)
}

func TestGraphNodeDetails(t *testing.T) {
	r := graflow.NewRegistry()
	calc := graflow.NewTask("calc", add, graflow.WithRegistry(r), graflow.WithMaxRetries(2), graflow.WithTimeout(time.Second))
	grp := graflow.Parallel(calc.Instance("c1", graflow.Params{"x": 1}), calc.Instance("c2", nil)).WithPolicy(graflow.AtLeast(1))
	wf := graflow.NewWorkflow("w")
	wf.Add(grp)
	require.NoError(t, wf.Validate())
	nodes := engine.CompileGraph(wf).Nodes
	require.Len(t, nodes, 3)
	assert.Equal(t, "c1", nodes[0].ID)
	assert.Equal(t, "calc", nodes[0].Task)
	assert.False(t, nodes[0].IsGroup())
	assert.Equal(t, map[string]any{"x": 1}, nodes[0].Params)
	assert.Equal(t, []string{"x", "y"}, nodes[0].Inputs)
	assert.Equal(t, 2, nodes[0].Options.MaxRetries)
	assert.Equal(t, time.Second, nodes[0].Options.Timeout)
	assert.True(t, nodes[2].IsGroup())
	assert.Equal(t, []string{"c1", "c2"}, nodes[2].Members)
	assert.Equal(t, wire.Policy{Type: "at_least", MinSuccess: 1}, nodes[2].Policy)

	wf2 := graflow.NewWorkflow("w")
	wf2.Add(graflow.Parallel(calc.Instance("c1", nil), calc.Instance("c2", nil)))
	assert.Equal(t, wire.Policy{Type: "strict"}, engine.CompileGraph(wf2).Nodes[2].Policy, "default policy is strict")
}

func TestValidateReportsAllProblems(t *testing.T) {
	r := graflow.NewRegistry()
	a := graflow.NewTask("a", add, graflow.WithRegistry(r))
	b := graflow.NewTask("b", func(*graflow.TaskContext, graflow.None) (int, error) { return 0, nil }, graflow.WithRegistry(r))
	bad := graflow.NewTask("bad.name", func(*graflow.TaskContext, graflow.None) (int, error) { return 0, nil }, graflow.WithRegistry(r))

	wf := graflow.NewWorkflow("w")
	wf.Add(
		bad,
		graflow.Parallel(a, b).Named("bad group"),
		a.Instance("dup", nil), b.Instance("dup", nil),
		a.Instance("i1", graflow.Params{"nope": 1, "x": 2}),
		graflow.Parallel(a.Instance("m1", nil), a.Instance("m2", nil)).WithPolicy(graflow.AtLeast(3)),
		graflow.Parallel(a.Instance("m3", nil), a.Instance("m4", nil)).WithPolicy(graflow.CriticalOnly("m3", "zz")),
	)
	err := wf.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
	ps := problems(err)
	for _, p := range ps {
		assert.ErrorIs(t, p, graflow.ErrInvalidGraph, p.Error())
	}
	want := []string{
		`task "bad.name"`,
		`group name "bad group"`,
		`id "dup" is bound to task "a" and to "b"`,
		`unknown parameter "nope"`,
		`AtLeast(3)`,
		`critical task ids [zz] are not members`,
	}
	require.Len(t, ps, len(want), err.Error())
	for i, w := range want {
		assert.Contains(t, ps[i].Error(), w)
	}
	assert.NotContains(t, err.Error(), `"x"`, "x is a known parameter")
}

func TestValidateMoreProblems(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c")
	a, b, c := ts["a"], ts["b"], ts["c"]
	var nilTask *graflow.Task[graflow.None, string]
	var nilGroup *graflow.Group
	tests := []struct {
		name string
		wf   *graflow.Workflow
		want []string
	}{
		{"empty", graflow.NewWorkflow("w"), []string{`workflow "w" has no tasks`}},
		{"bad workflow name and steps", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("my.flow", graflow.WithMaxSteps(0))
			wf.Add(a)
			return wf
		}(), []string{`workflow name "my.flow"`, "max steps must be positive"}},
		{"same id, different params", func() *graflow.Workflow {
			calc := graflow.NewTask("calc", add, graflow.WithRegistry(graflow.NewRegistry()))
			wf := graflow.NewWorkflow("w")
			wf.Add(calc.Instance("i", nil), calc.Instance("i", graflow.Params{}), calc.Instance("i", graflow.Params{"x": 1}))
			return wf
		}(), []string{`id "i" of task "calc" is bound twice with different parameters`}},
		{"group id used by a task", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(c, graflow.Parallel(a, b).Named("c"))
			return wf
		}(), []string{`id "c" names two different nodes`}},
		{"task id used by a group", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(graflow.Parallel(a, b).Named("grp"), c.Instance("grp", nil))
			return wf
		}(), []string{`id "grp" is bound to task "<parallel group>" and to "c"`}},
		{"group with one member", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(graflow.NewParallelGroup([]graflow.Node{a}, graflow.GroupOptions{Name: "solo"}))
			return wf
		}(), []string{`group "solo" needs at least two members, has 1`}},
		{"zero group", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(&graflow.Group{})
			return wf
		}(), []string{"needs at least two members, has 0"}},
		{"bad instance id", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(a.Instance("a b", nil))
			return wf
		}(), []string{`task id name "a b" must match`}},
		{"nil nodes", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(nil, graflow.Chain(a, nil, b), graflow.Parallel(c, nilTask, nilGroup))
			return wf
		}(), []string{"nil node", "nil node", "nil node", "nil node", `group "ParallelGroup_1" needs at least two members, has 1`}},
		{"zero task", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(&graflow.Task[graflow.None, int]{})
			return wf
		}(), []string{`node "" has no task`}},
		{"AtLeast negative", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(graflow.Parallel(a, b).WithPolicy(graflow.AtLeast(-1)))
			return wf
		}(), []string{`group "ParallelGroup_1": AtLeast(-1)`}},
		{"CriticalOnly without ids", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(graflow.Parallel(a, b).WithPolicy(graflow.CriticalOnly()))
			return wf
		}(), []string{"CriticalOnly needs at least one task id"}},
		{"GroupOptions shorthands", func() *graflow.Workflow {
			wf := graflow.NewWorkflow("w")
			wf.Add(graflow.NewParallelGroup([]graflow.Node{a, b}, graflow.GroupOptions{Name: "g1", MinSuccesses: 3}),
				graflow.NewParallelGroup([]graflow.Node{a, b}, graflow.GroupOptions{Name: "g2", CriticalTasks: []string{"c"}}))
			return wf
		}(), []string{`group "g1": AtLeast(3)`, `group "g2": critical task ids [c]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.wf.Validate()
			require.Error(t, err)
			ps := problems(err)
			require.Len(t, ps, len(tt.want), err.Error())
			for i, w := range tt.want {
				assert.ErrorIs(t, ps[i], graflow.ErrInvalidGraph)
				assert.Contains(t, ps[i].Error(), w)
			}
		})
	}
}

func TestValidateValidGraphs(t *testing.T) {
	r := graflow.NewRegistry()
	calc := graflow.NewTask("calc", add, graflow.WithRegistry(r))
	wf := graflow.NewWorkflow("ok-flow_1")
	c1, c2 := calc.Instance("c1", graflow.Params{"x": 1, "y": 2}), calc.Instance("c2", graflow.Params{"x": 3})
	wf.Add(graflow.Chain(calc, graflow.Parallel(c1, c2).WithPolicy(graflow.CriticalOnly("c1")), calc.Instance("sum", nil)))
	wf.Add(c1) // same instance again: fine
	assert.NoError(t, wf.Validate())
	assert.Equal(t, "ok-flow_1", wf.Name())
	assert.Equal(t, graflow.DefaultMaxSteps, wf.MaxSteps())
}

func TestStartNode(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c", "s", "e", "x", "y", "v", "p", "q")
	a, b, c := ts["a"], ts["b"], ts["c"]
	tests := []struct {
		name    string
		nodes   []graflow.Node
		start   string
		want    string
		wantErr string
	}{
		{"single root", []graflow.Node{graflow.Chain(a, b, c)}, "", "a", ""},
		{"explicit start", []graflow.Node{graflow.Chain(a, b, c)}, "b", "b", ""},
		{"explicit group member", []graflow.Node{graflow.Parallel(a, b)}, "a", "a", ""},
		{"unknown start", []graflow.Node{graflow.Chain(a, b)}, "zz", "", `start node "zz" is not in workflow "w" (nodes: a, b)`},
		{"ambiguous", []graflow.Node{b, a, c}, "", "", "several start nodes [a, b, c]"},
		{"no root", []graflow.Node{graflow.Chain(a, b, a)}, "", "", "has no start node"},
		{"empty", nil, "", "", "has no start node"},
		{"members of a group with a predecessor are not roots",
			[]graflow.Node{graflow.Chain(ts["s"], graflow.Parallel(a, b), ts["e"])}, "", "s", ""},
		{"group alone starts at the group", []graflow.Node{graflow.Parallel(a, b, c)}, "", "ParallelGroup_1", ""},
		{"(x | y) >> v >> (p | q)",
			[]graflow.Node{graflow.Chain(graflow.Parallel(ts["x"], ts["y"]), ts["v"], graflow.Parallel(ts["p"], ts["q"]))}, "", "ParallelGroup_1", ""},
		{"a chain inside a group is not a root", []graflow.Node{graflow.Parallel(graflow.Chain(a, b), c).Named("grp")}, "", "grp", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := graflow.NewWorkflow("w")
			wf.Add(tt.nodes...)
			got, err := engine.StartNode(wf, tt.start)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// fakeExecutor records what Workflow.Execute/Start hand it.
type fakeExecutor struct{ cfg *engine.RunConfig }

func (f *fakeExecutor) Execute(_ context.Context, _ *graflow.Workflow, cfg engine.RunConfig) (*graflow.Result, error) {
	f.cfg = &cfg
	return engine.NewResult("wf", "run", []byte(`"done"`), nil), nil
}

func (f *fakeExecutor) Start(_ context.Context, _ *graflow.Workflow, cfg engine.RunConfig) (*graflow.Handle, error) {
	f.cfg = &cfg
	return engine.NewHandle(f, "wf", "run"), nil
}

func (f *fakeExecutor) Result(context.Context, string, string) (*graflow.Result, error) {
	return engine.NewResult("wf", "run", []byte(`"done"`), nil), nil
}

func TestExecuteValidatesAndResolvesStart(t *testing.T) {
	_, ts := noneTasks(t, "a", "b", "c")
	ctx := context.Background()

	wf := graflow.NewWorkflow("w")
	wf.Add(graflow.Chain(ts["a"], ts["b"]))
	exec := &fakeExecutor{}
	res, err := wf.Execute(ctx, exec, graflow.InitialChannel(map[string]any{"n": 1}), graflow.WorkflowID("id-1"))
	require.NoError(t, err)
	require.NotNil(t, exec.cfg)
	assert.Equal(t, engine.RunConfig{Start: "a", InitialChannel: map[string]any{"n": 1}, WorkflowID: "id-1"}, *exec.cfg)
	var out string
	require.NoError(t, res.Value(&out))
	assert.Equal(t, "done", out)

	h, err := wf.Start(ctx, exec, graflow.Start("b"))
	require.NoError(t, err)
	assert.Equal(t, "b", exec.cfg.Start)
	res, err = h.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, "wf", res.WorkflowID)

	// Invalid graphs and unresolvable starts never reach the executor.
	for _, bad := range []*graflow.Workflow{graflow.NewWorkflow("w"), wf} {
		exec := &fakeExecutor{}
		opts := []graflow.ExecuteOption{}
		if bad == wf {
			opts = append(opts, graflow.Start("nope"))
		}
		_, err := bad.Execute(ctx, exec, opts...)
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		_, err = bad.Start(ctx, exec, opts...)
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		assert.Nil(t, exec.cfg)
	}
}

func TestInstanceIDs(t *testing.T) {
	r := graflow.NewRegistry()
	process := graflow.NewTask("process", add, graflow.WithRegistry(r))
	re := regexp.MustCompile(`^process_[0-9a-f]{8}$`)
	seen := map[string]bool{}
	for range 200 {
		inst := process.Instance("", graflow.Params{"x": 10})
		assert.Regexp(t, re, inst.ID())
		assert.False(t, seen[inst.ID()], "duplicate id %s", inst.ID())
		seen[inst.ID()] = true
		assert.Equal(t, "process", inst.Task())
		assert.Equal(t, inst.ID(), inst.String())
	}

	named := process.Instance("test", nil)
	assert.Equal(t, "test", named.ID())
	assert.Empty(t, named.Params())

	// The bound params are copied: later changes to the caller's map do not leak in.
	p := graflow.Params{"x": 1}
	inst := process.Instance("i", p)
	p["x"] = 99
	p["nope"] = true
	assert.Equal(t, graflow.Params{"x": 1}, inst.Params())
	wf := graflow.NewWorkflow("w")
	wf.Add(inst)
	assert.NoError(t, wf.Validate())
}

func TestNewTaskErrors(t *testing.T) {
	noop := func(*graflow.TaskContext, graflow.None) (int, error) { return 1, nil }
	ctx := context.Background()

	t.Run("duplicate name with a different function", func(t *testing.T) {
		r := graflow.NewRegistry()
		first := graflow.NewTask("d", noop, graflow.WithRegistry(r))
		second := graflow.NewTask("d", func(*graflow.TaskContext, graflow.None) (int, error) { return 2, nil }, graflow.WithRegistry(r))
		wf := graflow.NewWorkflow("w")
		wf.Add(second)
		err := wf.Validate()
		assert.ErrorIs(t, err, graflow.ErrDuplicateTask)
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		_, err = second.Run(ctx, graflow.None{})
		assert.ErrorIs(t, err, graflow.ErrDuplicateTask)
		// The first registration stays valid.
		out, err := first.Run(ctx, graflow.None{})
		require.NoError(t, err)
		assert.Equal(t, 1, out)
		wf = graflow.NewWorkflow("w")
		wf.Add(first)
		assert.NoError(t, wf.Validate())
	})
	t.Run("any second registration of a name", func(t *testing.T) {
		adder := func(n int) func(*graflow.TaskContext, graflow.None) (int, error) {
			return func(*graflow.TaskContext, graflow.None) (int, error) { return n, nil }
		}
		for _, tc := range []struct {
			name          string
			first, second func(*graflow.TaskContext, graflow.None) (int, error)
		}{
			{"the same function", noop, noop},
			{"two closures of one literal", adder(1), adder(2)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := graflow.NewRegistry()
				first := graflow.NewTask("s", tc.first, graflow.WithRegistry(r))
				second := graflow.NewTask("s", tc.second, graflow.WithRegistry(r))
				_, err := second.Run(ctx, graflow.None{})
				assert.ErrorIs(t, err, graflow.ErrDuplicateTask)
				assert.ErrorContains(t, err, `"s"`)
				out, err := first.Run(ctx, graflow.None{})
				require.NoError(t, err, "the first registration stays")
				assert.Equal(t, 1, out)
			})
		}
	})
	t.Run("In is not a struct", func(t *testing.T) {
		r := graflow.NewRegistry()
		bad := graflow.NewTask("n", func(_ *graflow.TaskContext, n int) (int, error) { return n, nil }, graflow.WithRegistry(r))
		wf := graflow.NewWorkflow("w")
		wf.Add(bad)
		err := wf.Validate()
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		assert.ErrorContains(t, err, "must be a struct")
		var de *graflow.TaskDefinitionError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "n", de.Task)
		_, err = bad.Run(ctx, 3)
		assert.ErrorContains(t, err, "must be a struct")
		_, ok := engine.LookupTask(r, "n")
		assert.False(t, ok, "an unusable task is not registered")
	})
	t.Run("name with a dot", func(t *testing.T) {
		r := graflow.NewRegistry()
		bad := graflow.NewTask("pkg.task", noop, graflow.WithRegistry(r))
		wf := graflow.NewWorkflow("w")
		wf.Add(bad)
		err := wf.Validate()
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		assert.ErrorContains(t, err, `"pkg.task"`)
		_, err = bad.Run(ctx, graflow.None{})
		assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
		assert.Empty(t, r.Names())
	})
	t.Run("nil function", func(t *testing.T) {
		r := graflow.NewRegistry()
		bad := graflow.NewTask[graflow.None, int]("nilfn", nil, graflow.WithRegistry(r))
		wf := graflow.NewWorkflow("w")
		wf.Add(bad)
		assert.ErrorContains(t, wf.Validate(), "task function is nil")
		_, err := bad.Run(ctx, graflow.None{})
		assert.Error(t, err)
	})
	t.Run("zero Task value", func(t *testing.T) {
		var zero graflow.Task[graflow.None, int]
		_, err := zero.Run(ctx, graflow.None{})
		assert.Error(t, err)
	})
	t.Run("nil registry option means DefaultRegistry", func(t *testing.T) {
		name := "graflow_test_nil_registry_task"
		tk := graflow.NewTask(name, noop, graflow.WithRegistry(nil))
		wf := graflow.NewWorkflow("w")
		wf.Add(tk)
		assert.NoError(t, wf.Validate())
		_, ok := engine.LookupTask(graflow.DefaultRegistry, name)
		assert.True(t, ok)
	})
}

func TestNewTaskRegistersInGivenRegistryOnly(t *testing.T) {
	r := graflow.NewRegistry()
	name := "graflow_test_private_calc"
	graflow.NewTask(name, add, graflow.WithRegistry(r), graflow.WithMaxCycles(3), graflow.WithTaskQueue("gpu"),
		graflow.WithReads("k1", "k2"), graflow.WithoutChannelResolution(), graflow.WithHeartbeatTimeout(time.Minute),
		graflow.WithRetryPolicy(graflow.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2}))
	info, ok := engine.LookupTask(r, name)
	require.True(t, ok)
	assert.Equal(t, []string{"x", "y"}, info.Params)
	assert.Equal(t, wire.TaskOptions{
		MaxCycles: 3, TaskQueue: "gpu", Reads: []string{"k1", "k2"}, NoChannelResolution: true,
		HeartbeatTimeout: time.Minute, RetryPolicy: &wire.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2},
	}, info.Options)
	_, ok = engine.LookupTask(graflow.DefaultRegistry, name)
	assert.False(t, ok)
	_, ok = engine.LookupTask(r, "missing")
	assert.False(t, ok)
}

func TestTaskRun(t *testing.T) {
	r := graflow.NewRegistry()
	calculate := graflow.NewTask("calculate", add, graflow.WithRegistry(r))
	assert.Equal(t, "calculate", calculate.Name())
	assert.Equal(t, "calculate", calculate.String())
	out, err := calculate.Run(context.Background(), xyIn{X: 5, Y: 3})
	require.NoError(t, err)
	assert.Equal(t, 8, out)

	type procIn struct {
		Data       []int `json:"data"`
		Multiplier int   `json:"multiplier"`
	}
	process := graflow.NewTask("process_data", func(tc *graflow.TaskContext, in procIn) ([]int, error) {
		if in.Multiplier == 0 {
			in.Multiplier = 2
		}
		out := make([]int, len(in.Data))
		for i, d := range in.Data {
			out[i] = d * in.Multiplier
		}
		return out, nil
	}, graflow.WithRegistry(r))
	got, err := process.Run(context.Background(), procIn{Data: []int{1, 2, 3}})
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4, 6}, got)
	got, err = process.Run(context.Background(), procIn{Data: []int{1, 2, 3}, Multiplier: 3})
	require.NoError(t, err)
	assert.Equal(t, []int{3, 6, 9}, got)

	// The body sees a TaskContext with a local channel and its task id.
	boom := errors.New("boom")
	probe := graflow.NewTask("probe", func(tc *graflow.TaskContext, _ graflow.None) (string, error) {
		if err := tc.Channel().Set("k", 1); err != nil {
			return "", err
		}
		if tc.TaskID() != "probe" || tc.Attempt() != 1 || tc.Cycle() != 1 || tc.MaxCycles() != 4 || !tc.CanIterate() {
			return "", boom
		}
		return tc.Channel().Keys()[0], nil
	}, graflow.WithRegistry(r), graflow.WithMaxCycles(4))
	s, err := probe.Run(context.Background(), graflow.None{})
	require.NoError(t, err)
	assert.Equal(t, "k", s)

	failing := graflow.NewTask("failing", func(*graflow.TaskContext, graflow.None) (int, error) { return 0, boom }, graflow.WithRegistry(r))
	_, err = failing.Run(context.Background(), graflow.None{})
	assert.ErrorIs(t, err, boom)
}

func TestPolicyCopiesItsIDs(t *testing.T) {
	_, ts := noneTasks(t, "a", "b")
	ids := []string{"a"}
	g := graflow.Parallel(ts["a"], ts["b"]).WithPolicy(graflow.CriticalOnly(ids...))
	ids[0] = "changed"
	wf := graflow.NewWorkflow("w")
	wf.Add(g)
	require.NoError(t, wf.Validate())
	assert.Equal(t, wire.Policy{Type: "critical", Critical: []string{"a"}}, engine.CompileGraph(wf).Nodes[2].Policy, "CriticalOnly copies its ids")
}

func TestGroupAccessors(t *testing.T) {
	_, ts := noneTasks(t, "a", "b")
	g := graflow.Parallel(ts["a"], ts["b"])
	assert.Equal(t, "", g.Name())
	assert.Len(t, g.Members(), 2)
	assert.Same(t, g, g.Named("n"))
	assert.Equal(t, "n", g.Name())
	assert.Same(t, g, g.WithPolicy(graflow.BestEffort()))
	assert.Equal(t, "n:(a | b)", g.String())
	assert.Same(t, ts["a"], graflow.Chain(ts["a"]))
}

func TestStringOfNilMembersDoesNotPanic(t *testing.T) {
	_, ts := noneTasks(t, "a")
	assert.Equal(t, "a >> <nil>", graflow.Chain(ts["a"], nil).String())
	assert.Equal(t, "a | <nil>", graflow.Parallel(ts["a"], nil).String())
}

func TestWorkflowDefaultTaskOptions(t *testing.T) {
	r := graflow.NewRegistry()
	plain := graflow.NewTask("plain", add, graflow.WithRegistry(r))
	own := graflow.NewTask("own", add, graflow.WithRegistry(r), graflow.WithTimeout(time.Second), graflow.WithMaxRetries(1),
		graflow.WithReads("mine"))
	wf := graflow.NewWorkflow("w", graflow.WithMaxSteps(50), graflow.WithDefaultTaskOptions(
		graflow.WithTimeout(time.Minute), graflow.WithMaxRetries(3), graflow.WithTaskQueue("q"), graflow.WithReads("shared"),
		graflow.WithRetryPolicy(graflow.RetryPolicy{InitialInterval: time.Second})))
	wf.Add(graflow.Chain(plain, own))
	require.NoError(t, wf.Validate())
	assert.Equal(t, 50, wf.MaxSteps())
	nodes := engine.CompileGraph(wf).Nodes
	assert.Equal(t, wire.TaskOptions{
		Timeout: time.Minute, MaxRetries: 3, TaskQueue: "q", Reads: []string{"shared"},
		RetryPolicy: &wire.RetryPolicy{InitialInterval: time.Second},
	}, nodes[0].Options.WithDefaults(engine.CompileGraph(wf).Defaults))
	assert.Equal(t, wire.TaskOptions{
		Timeout: time.Second, MaxRetries: 1, TaskQueue: "q", Reads: []string{"mine", "shared"},
		RetryPolicy: &wire.RetryPolicy{InitialInterval: time.Second},
	}, nodes[1].Options.WithDefaults(engine.CompileGraph(wf).Defaults))
	// The task's own options are untouched.
	assert.Equal(t, []string{"mine"}, nodes[1].Options.Reads)
	assert.Equal(t, wire.TaskOptions{}, nodes[0].Options.WithDefaults(engine.CompileGraph(graflow.NewWorkflow("w")).Defaults))
}
