package graflow_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/stretchr/testify/require"
)

// noneTasks registers one task per name in a fresh registry; each returns
// its own name.
func noneTasks(t testing.TB, names ...string) (*graflow.Registry, map[string]*graflow.Task[graflow.None, string]) {
	t.Helper()
	r := graflow.NewRegistry()
	tasks := map[string]*graflow.Task[graflow.None, string]{}
	for _, n := range names {
		tasks[n] = graflow.NewTask(n, func(*graflow.TaskContext, graflow.None) (string, error) { return n, nil }, graflow.WithRegistry(r))
	}
	return r, tasks
}

// describe summarises a workflow graph: nodes in order ("id" for a task,
// "id[m1 m2]" for a group) and edges ("a->b").
func describe(wf *graflow.Workflow) (nodes, edges []string) {
	for _, n := range engine.CompileGraph(wf).Nodes {
		if n.IsGroup() {
			nodes = append(nodes, fmt.Sprintf("%s[%s]", n.ID, strings.Join(n.Members, " ")))
		} else {
			nodes = append(nodes, n.ID)
		}
	}
	for _, e := range engine.CompileGraph(wf).Edges {
		edges = append(edges, e.From+"->"+e.To)
	}
	return nodes, edges
}

// graphOf adds nodes to a fresh workflow and describes it.
func graphOf(t testing.TB, nodes ...graflow.Node) (ns, es []string) {
	t.Helper()
	wf := graflow.NewWorkflow("w")
	wf.Add(nodes...)
	require.NoError(t, wf.Validate())
	return describe(wf)
}

// problems splits an errors.Join error into its parts.
func problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
