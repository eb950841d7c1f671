package temporal_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// recorder logs task runs in order.
type recorder struct {
	mu  sync.Mutex
	log []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

// runInSuite runs wf in the SDK's test environment with the tasks of reg.
func runInSuite(t *testing.T, reg *graflow.Registry, wf *graflow.Workflow, opts ...graflow.ExecuteOption) (*temporal.RunOutput, error) {
	t.Helper()
	var cfg graflow.RunConfig
	for _, o := range opts {
		o(&cfg)
	}
	require.NoError(t, wf.Validate())
	start, err := wf.StartNode(cfg.Start)
	require.NoError(t, err)
	cfg.Start = start
	in, err := temporal.Compile(wf, cfg)
	require.NoError(t, err)

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
	runner := activities.NewRunner(reg, nil, nil)
	for _, name := range reg.Names() {
		env.RegisterActivityWithOptions(runner.Run, activity.RegisterOptions{Name: name})
	}
	env.RegisterDynamicActivity(func(ctx context.Context, _ converter.EncodedValues) (*activities.Output, error) {
		return nil, activities.NotRegistered(activity.GetInfo(ctx).ActivityType.Name, "test")
	}, activity.DynamicRegisterOptions{})
	env.ExecuteWorkflow(wf.Name(), in)
	require.True(t, env.IsWorkflowCompleted())
	if err := env.GetWorkflowError(); err != nil {
		return nil, err
	}
	var out temporal.RunOutput
	require.NoError(t, env.GetWorkflowResult(&out))
	return &out, nil
}

type valueIn struct {
	Value int `json:"value"`
}

func TestInterpreterChainAndDiamond(t *testing.T) {
	reg := graflow.NewRegistry()
	rec := &recorder{}
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
	require.JSONEq(t, `"d!"`, string(out.Value))
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
	require.JSONEq(t, `50`, string(out.Value))
}
