package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// Tasks created after the worker was built run, as regular and as local
// tasks, whether they were created before it started or after.
func TestTasksCreatedAfterTheWorker(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := graflow.NewRegistry()
	w, err := temporal.NewWorker(srv.Client(), "late", temporal.WorkerOptions{Registry: reg, Logger: quietSlog()})
	require.NoError(t, err)
	twice := func(_ *graflow.TaskContext, in struct{ N int }) (int, error) { return 2 * in.N, nil }
	beforeStart := graflow.NewTask("before_start", twice, graflow.WithRegistry(reg))
	beforeStartLocal := graflow.NewTask("before_start_local", twice, graflow.WithRegistry(reg), graflow.WithLocal())
	require.NoError(t, w.Start())
	defer w.Stop()
	afterStart := graflow.NewTask("after_start", twice, graflow.WithRegistry(reg))
	afterStartLocal := graflow.NewTask("after_start_local", twice, graflow.WithRegistry(reg), graflow.WithLocal())
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: "late"})

	for _, tc := range []struct {
		name string
		task graflow.Node
	}{
		{"regular, before the start", beforeStart},
		{"local, before the start", beforeStartLocal},
		{"regular, after the start", afterStart},
		{"local, after the start", afterStartLocal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wf := graflow.NewWorkflow("late_" + tc.task.String())
			wf.Add(tc.task)
			res, err := wf.Execute(ctx, runner, graflow.InitialChannel(map[string]any{"N": 21}))
			require.NoError(t, err)
			var out int
			require.NoError(t, res.Value(&out))
			assert.Equal(t, 42, out)
		})
	}
}
