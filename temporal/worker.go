package temporal

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/prompts"
)

// DefaultTaskQueue is the task queue runs and workers use unless told otherwise.
const DefaultTaskQueue = "graflow"

// WorkerOptions configure NewWorker; the zero value means defaults.
type WorkerOptions struct {
	// Registry holds the tasks the worker runs; nil = graflow.DefaultRegistry.
	Registry *graflow.Registry
	// Identity names the worker in Temporal (shown in the Web UI).
	Identity string
	// Logger receives task logs; nil = slog.Default.
	Logger *slog.Logger
	// MaxConcurrentTasks bounds task bodies running at once (0 = SDK default).
	MaxConcurrentTasks int
	// Prompts is what tasks get from TaskContext.Prompts (nil = the
	// GRAFLOW_PROMPTS_DIR or ./prompts directory).
	Prompts *prompts.Manager
}

// NewWorker returns a Temporal worker on taskQueue ("" = DefaultTaskQueue)
// that runs the interpreter workflow (for any workflow name) and every task
// of the registry (activity type = task name). A task the registry lacks
// fails at once, without retries, with graflow.ErrTaskNotRegistered.
func NewWorker(c client.Client, taskQueue string, opts WorkerOptions) (worker.Worker, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	reg := opts.Registry
	if reg == nil {
		reg = graflow.DefaultRegistry
	}
	w := worker.New(c, taskQueue, worker.Options{
		Identity:                           opts.Identity,
		MaxConcurrentActivityExecutionSize: opts.MaxConcurrentTasks,
	})
	w.RegisterDynamicWorkflow(Interpret, workflow.DynamicRegisterOptions{})
	runner := activities.NewRunner(reg, c, opts.Logger, activities.WithPrompts(opts.Prompts))
	for _, name := range reg.Names() {
		w.RegisterActivityWithOptions(runner.Run, activity.RegisterOptions{Name: name})
	}
	w.RegisterDynamicActivity(func(ctx context.Context, _ converter.EncodedValues) (*activities.Output, error) {
		return nil, activities.NotRegistered(activity.GetInfo(ctx).ActivityType.Name, taskQueue)
	}, activity.DynamicRegisterOptions{})
	return w, nil
}
