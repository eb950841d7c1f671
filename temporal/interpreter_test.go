package temporal_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

// runInSuite runs wf in the SDK's test environment with the tasks of reg.
func runInSuite(t *testing.T, reg *graflow.Registry, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*graflow.Result, error) {
	t.Helper()
	return wf.Execute(context.Background(), graflowtest.NewExecutor(reg), opts...)
}

func TestInterpreterChainAndDiamond(t *testing.T) {
	reg := graflow.NewRegistry()
	rec := &runLog{}
	mk := func(name string) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
			rec.add(name)
			return name + "!", nil
		}, graflow.WithRegistry(reg))
	}
	a, b, c, d := mk("a"), mk("b"), mk("c"), mk("d")
	wf := graflow.NewWorkflow("diamond")
	wf.Add(graflow.Chain(a, graflow.Parallel(b, c), d))
	out, err := runInSuite(t, reg, wf)
	require.NoError(t, err)
	require.JSONEq(t, `"d!"`, string(out.Raw()))
	require.Len(t, rec.log, 4)
	require.Equal(t, "a", rec.log[0])
	require.Equal(t, "d", rec.log[3])

	// plain-edge diamond: the sink runs once
	rec.log = nil
	wf2 := graflow.NewWorkflow("plain")
	wf2.Add(graflow.Chain(a, b, d), graflow.Chain(a, c, d))
	_, err = runInSuite(t, reg, wf2)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c", "d"}, rec.log)
	fmt.Println(rec.log)
}

func TestInterpreterBoundBeatsChannel(t *testing.T) {
	reg := graflow.NewRegistry()
	type calcIn struct {
		Value      int `json:"value"`
		Multiplier int `json:"multiplier"`
	}
	calc := graflow.NewTask("calculate", func(ctx *graflow.TaskContext, in calcIn) (int, error) {
		return in.Value * in.Multiplier, nil
	}, graflow.WithRegistry(reg))
	wf := graflow.NewWorkflow("priority")
	wf.Add(calc.Instance("calc", graflow.Params{"value": 10}))
	out, err := runInSuite(t, reg, wf, graflow.InitialChannel(map[string]any{"value": 100, "multiplier": 5}))
	require.NoError(t, err)
	require.JSONEq(t, `50`, string(out.Raw()))
}
