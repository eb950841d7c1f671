package temporal_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/temporal"
)

// A task the worker does not have yet: from interpreter version 1 the run
// waits and runs it once the worker has it (here after 10 minutes of
// workflow time); a run recorded before versions fails the task, as it did.
func TestMissingTaskByVersion(t *testing.T) {
	body := func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "late ran", nil }
	late := graflow.NewTask("late", body, graflow.WithRegistry(graflow.NewRegistry()))
	wf := graflow.NewWorkflow("waits")
	wf.Add(late)

	for _, tc := range []struct {
		name    string
		version workflow.Version
	}{
		{"version 1 waits for the worker", 1},
		{"before versions fails the task", workflow.DefaultVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
			env := suite.NewTestWorkflowEnvironment()
			reg := graflow.NewRegistry()
			require.NoError(t, temporal.Register(env, reg, activities.NewRunner(reg, nil, slog.New(slog.DiscardHandler)), "q", wf))
			env.OnGetVersion("graflow-interpreter", workflow.DefaultVersion, 1).Return(tc.version)
			env.RegisterDelayedCallback(func() { graflow.NewTask("late", body, graflow.WithRegistry(reg)) }, 10*time.Minute)
			start := env.Now()
			env.ExecuteWorkflow("waits") // started by name: the worker's registry lacks the task
			require.True(t, env.IsWorkflowCompleted())
			if tc.version == workflow.DefaultVersion {
				require.Error(t, env.GetWorkflowError())
				assert.ErrorContains(t, env.GetWorkflowError(), `"late" is not registered on task queue`)
				return
			}
			require.NoError(t, env.GetWorkflowError())
			var out wire.RunOutput
			require.NoError(t, env.GetWorkflowResult(&out))
			assert.JSONEq(t, `"late ran"`, string(out.Value))
			assert.GreaterOrEqual(t, env.Now().Sub(start), 10*time.Minute, "it ran once the worker had it")
		})
	}
}

// A run continued as new (or a child started) by a build with a newer
// interpreter version fails its workflow task on this build, never runs
// with another version's limits.
func TestUnknownCarriedVersionFailsTheWorkflowTask(t *testing.T) {
	reg := graflow.NewRegistry()
	step := graflow.NewTask("step", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) { return "ran", nil }, graflow.WithRegistry(reg))
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	require.NoError(t, temporal.Register(env, reg, activities.NewRunner(reg, nil, slog.New(slog.DiscardHandler)), "q"))
	in := wire.RunInput{
		Spec:   wire.Spec{Name: "future", Start: "step_1", Nodes: []wire.NodeSpec{{ID: "step_1", Task: step.Name()}}},
		Resume: &wire.RunState{Interpreter: 99},
	}
	env.ExecuteWorkflow("future", in)
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	assert.ErrorContains(t, env.GetWorkflowError(), "the run carries interpreter version 99, newer than this worker's")
}
