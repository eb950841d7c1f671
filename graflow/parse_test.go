package graflow_test

import (
	"errors"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var flowNames = []string{"a", "b", "c", "d", "e", "f", "g", "h", "fetch", "aggregate", "step-2", "x_1"}

func TestParseFlowRoundTrip(t *testing.T) {
	reg, _ := noneTasks(t, flowNames...)
	tests := []struct {
		in, want string
	}{
		{"a", "a"},
		{"a >> b >> c", "a >> b >> c"},
		{"a | b | c", "a | b | c"},
		{"a >> (b | c) >> d >> (e | f | g) >> h", "a >> (b | c) >> d >> (e | f | g) >> h"},
		{"(a | b) >> c", "(a | b) >> c"},
		{"a | b >> c", "a | b >> c"},
		{"(a >> b) | c", "a >> b | c"},
		{"x:(a | b) >> c", "x:(a | b) >> c"},
		{"(a | (b >> c)) >> d", "(a | b >> c) >> d"},
		{"fetch >> (a | b | c) >> aggregate", "fetch >> (a | b | c) >> aggregate"},
		// Non-canonical spellings print canonically.
		{"a>>b>>c", "a >> b >> c"},
		{"  a\t>>\n b  ", "a >> b"},
		{"((a))", "a"},
		{"(a >> b) >> c", "a >> b >> c"},
		{"a >> (b >> c)", "a >> b >> c"},
		{"a|b", "a | b"},
		{"x:((a | b))", "x:(a | b)"},
		// A parenthesized group inside a group stays nested.
		{"a | (b | c)", "a | (b | c)"},
		{"(a | b) | c", "(a | b) | c"},
		// Named groups as members and in chains.
		{"x:(a | b) | c", "x:(a | b) | c"},
		{"a >> x:(b | c >> d) >> e", "a >> x:(b | c >> d) >> e"},
		{"x:(a | y:(b | c))", "x:(a | y:(b | c))"},
		{"step-2 >> x_1", "step-2 >> x_1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := graflow.ParseFlow(tt.in, reg)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n.String())
			again, err := graflow.ParseFlow(n.String(), reg)
			require.NoError(t, err)
			assert.Equal(t, n.String(), again.String())
		})
	}
}

func TestParseFlowRoundTripOfBuiltNodes(t *testing.T) {
	reg, ts := noneTasks(t, flowNames...)
	a, b, c, d, e := ts["a"], ts["b"], ts["c"], ts["d"], ts["e"]
	nodes := []graflow.Node{
		a,
		graflow.Chain(a, b, c),
		graflow.Parallel(a, b, c),
		graflow.Parallel(graflow.Parallel(a, b), c), // flattened
		graflow.Chain(graflow.Chain(a, b), graflow.Chain(c, d)),
		graflow.Chain(a, graflow.Parallel(b, c), d),
		graflow.Parallel(graflow.Chain(a, b), c),
		graflow.Parallel(a, graflow.Chain(b, graflow.Parallel(c, d), e)),
		graflow.Chain(graflow.Parallel(a, b).Named("x"), c),
		graflow.Parallel(a, graflow.Parallel(b, c).WithPolicy(graflow.BestEffort())),
		graflow.NewParallelGroup([]graflow.Node{graflow.Parallel(a, b), c}, graflow.GroupOptions{}),
	}
	for _, n := range nodes {
		t.Run(n.String(), func(t *testing.T) {
			p, err := graflow.ParseFlow(n.String(), reg)
			require.NoError(t, err)
			assert.Equal(t, n.String(), p.String())
			// Same graph, too.
			wn, we := graphOf(t, n)
			pn, pe := graphOf(t, p)
			assert.Equal(t, wn, pn)
			assert.Equal(t, we, pe)
		})
	}
}

func TestParseFlowGraph(t *testing.T) {
	reg, _ := noneTasks(t, flowNames...)
	tests := []struct {
		expr  string
		nodes []string
		edges []string
	}{
		{"a", []string{"a"}, nil},
		{"a >> b >> c", []string{"a", "b", "c"}, []string{"a->b", "b->c"}},
		{"a | b | c", []string{"a", "b", "c", "ParallelGroup_1[a b c]"}, nil},
		// >> binds tighter than |.
		{"a | b >> c", []string{"a", "b", "c", "ParallelGroup_1[a b]"}, []string{"b->c"}},
		{"a >> b | c", []string{"a", "b", "c", "ParallelGroup_1[a c]"}, []string{"a->b"}},
		{"(a | b) >> c", []string{"a", "b", "ParallelGroup_1[a b]", "c"}, []string{"ParallelGroup_1->c"}},
		{"(a >> b) | c", []string{"a", "b", "c", "ParallelGroup_1[a c]"}, []string{"a->b"}},
		{"a >> (b | c) >> d >> (e | f | g) >> h",
			[]string{"a", "b", "c", "ParallelGroup_1[b c]", "d", "e", "f", "g", "ParallelGroup_2[e f g]", "h"},
			[]string{"a->ParallelGroup_1", "ParallelGroup_1->d", "d->ParallelGroup_2", "ParallelGroup_2->h"}},
		{"x:(a | b) >> c", []string{"a", "b", "x[a b]", "c"}, []string{"x->c"}},
		{"(a | (b >> c)) >> d", []string{"a", "b", "c", "ParallelGroup_1[a b]", "d"}, []string{"b->c", "ParallelGroup_1->d"}},
		{"a | (b | c)", []string{"a", "b", "c", "ParallelGroup_2[b c]", "ParallelGroup_1[a ParallelGroup_2]"}, nil},
		{"a >> b >> a", []string{"a", "b"}, []string{"a->b", "b->a"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			n, err := graflow.ParseFlow(tt.expr, reg)
			require.NoError(t, err)
			nodes, edges := graphOf(t, n)
			assert.Equal(t, tt.nodes, nodes)
			assert.Equal(t, tt.edges, edges)
		})
	}
}

func TestParseFlowTaskIsTheTaskNode(t *testing.T) {
	reg, ts := noneTasks(t, "a", "b", "c")
	parsed, err := graflow.ParseFlow("a", reg)
	require.NoError(t, err)

	direct := graflow.NewWorkflow("w")
	direct.Add(ts["a"])
	fromFlow := graflow.NewWorkflow("w")
	fromFlow.Add(parsed)
	dn, pn := engine.CompileGraph(direct).Nodes, engine.CompileGraph(fromFlow).Nodes
	require.Len(t, dn, 1)
	require.Len(t, pn, 1)
	assert.Equal(t, dn[0].ID, pn[0].ID)
	assert.Equal(t, dn[0].Task, pn[0].Task)
	assert.Equal(t, dn[0].Options, pn[0].Options)
	assert.Nil(t, pn[0].Params)
	assert.Nil(t, dn[0].Params)

	// Mixing the *Task and the parsed name gives one node, no conflict.
	wf := graflow.NewWorkflow("w")
	wf.Add(graflow.Chain(ts["a"], ts["b"]))
	more, err := graflow.ParseFlow("a >> c", reg)
	require.NoError(t, err)
	wf.Add(more)
	require.NoError(t, wf.Validate())
	nodes, edges := describe(wf)
	assert.Equal(t, []string{"a", "b", "c"}, nodes)
	assert.Equal(t, []string{"a->b", "a->c"}, edges)
}

func TestParseFlowDefaultRegistry(t *testing.T) {
	// nil means DefaultRegistry; a name nobody registers there is unknown.
	_, err := graflow.ParseFlow("graflow_parse_test_never_registered", nil)
	require.ErrorIs(t, err, graflow.ErrTaskNotRegistered)
}

func TestParseFlowErrors(t *testing.T) {
	reg, _ := noneTasks(t, "a", "b", "c")
	tests := []struct {
		expr    string
		column  int
		msg     string
		unknown string
	}{
		{"", 1, "empty expression", ""},
		{"   ", 1, "empty expression", ""},
		{"zz", 1, `task "zz" is not registered`, "zz"},
		{"a >> zz", 6, `task "zz" is not registered`, "zz"},
		{"a | (b >> nope)", 11, `task "nope" is not registered`, "nope"},
		{"a >>", 5, "expected a task name or '(', found end of expression", ""},
		{"a >> >> b", 6, "expected a task name or '(', found '>>'", ""},
		{"| a", 1, "expected a task name or '(', found '|'", ""},
		{"a |", 4, "found end of expression", ""},
		{"()", 2, "found ')'", ""},
		{"a >> )", 6, "found ')'", ""},
		{"(a | b", 7, "missing ')' to close the '(' at column 1, found end of expression", ""},
		{"a >> ((b | c) >> a", 19, "missing ')' to close the '(' at column 6", ""},
		{"(a b)", 4, `missing ')' to close the '(' at column 1, found name "b"`, ""},
		{"a b", 3, `unexpected name "b" after a complete expression`, ""},
		{"a | b)", 6, "unmatched ')'", ""},
		{"a >> b (c)", 8, "unexpected '(' after a complete expression", ""},
		{"a & b", 3, "unexpected character '&'", ""},
		{"a > b", 3, "did you mean '>>'", ""},
		{"a.b", 2, "unexpected character '.'", ""},
		{"a >> (b | ü)", 11, "unexpected character 'ü'", ""},
		{"x:a", 3, `expected '(' after "x":, found name "a"`, ""},
		{"x:", 3, "found end of expression", ""},
		{"x:(a)", 4, `group "x" needs at least two members`, ""},
		{"x:(a >> b)", 4, `group "x" needs at least two members`, ""},
		{"x:(y:(a | b))", 4, `group "x" is already named "y"`, ""},
		{"x:(a | b", 9, "missing ')' to close the '(' at column 3", ""},
		{"a:", 3, "expected '('", ""},
		{":(a | b)", 1, "found ':'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			n, err := graflow.ParseFlow(tt.expr, reg)
			require.Error(t, err)
			assert.Nil(t, n)
			assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
			var pe *graflow.ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, tt.expr, pe.Expr)
			assert.Equal(t, tt.column, pe.Column, err.Error())
			assert.Contains(t, pe.Msg, tt.msg)
			assert.Contains(t, err.Error(), "column")
			assert.Equal(t, tt.unknown, pe.Task)
			if tt.unknown != "" {
				assert.ErrorIs(t, err, graflow.ErrTaskNotRegistered)
				assert.Contains(t, err.Error(), tt.unknown)
			} else {
				assert.NotErrorIs(t, err, graflow.ErrTaskNotRegistered)
			}
		})
	}
}
