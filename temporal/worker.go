package temporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
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
	// StopTimeout is how long Stop waits, once polling has stopped, for the
	// tasks still running to finish; then their contexts are canceled and
	// Temporal retries them elsewhere (0 = cancel at once).
	StopTimeout time.Duration
	// Prompts is what tasks get from TaskContext.Prompts (nil = the
	// GRAFLOW_PROMPTS_DIR or ./prompts directory).
	Prompts *prompts.Manager
	// Workflows are run when any Temporal client (the Web UI, `temporal
	// workflow start`, another SDK, a Schedule) starts workflow type
	// <Workflow.Name()> on the worker's task queue, with no input or a
	// StartInput. Each must be valid and named once. A start by name of
	// another type fails at once with graflow.ErrWorkflowNotRegistered.
	Workflows []*graflow.Workflow
	// DeploymentName and BuildID put the worker in a Temporal Worker
	// Deployment (Worker Versioning); set both or neither. A run is then
	// Pinned: it finishes on the build that started it, whatever build is
	// current by then, so a deploy never replays a run in flight on other
	// code. The worker gets work once its build is the deployment's current
	// (or ramping) version: `temporal worker deployment set-current-version`.
	DeploymentName string
	BuildID        string
	// UpgradeOnContinueAsNew moves a run to the deployment's current build
	// at its next continue-as-new (long loops, long histories) instead of
	// keeping it on the build that started it. Needs BuildID.
	UpgradeOnContinueAsNew bool
}

// ErrInvalidWorkerOptions is wrapped by NewWorker's error for options that
// do not go together.
var ErrInvalidWorkerOptions = errors.New("graflow: invalid worker options")

// build is the worker's "<deployment>:<build id>" ("" = unversioned).
func (opts WorkerOptions) build() string {
	if opts.BuildID == "" {
		return ""
	}
	return opts.DeploymentName + ":" + opts.BuildID
}

// deploymentOptions are the SDK's Worker Versioning options of opts.
func (opts WorkerOptions) deploymentOptions() (worker.DeploymentOptions, error) {
	switch {
	case opts.DeploymentName == "" && opts.BuildID == "":
		if opts.UpgradeOnContinueAsNew {
			return worker.DeploymentOptions{}, fmt.Errorf("%w: UpgradeOnContinueAsNew needs a DeploymentName and a BuildID", ErrInvalidWorkerOptions)
		}
		return worker.DeploymentOptions{}, nil
	case opts.DeploymentName == "":
		return worker.DeploymentOptions{}, fmt.Errorf("%w: BuildID %q needs a DeploymentName", ErrInvalidWorkerOptions, opts.BuildID)
	case opts.BuildID == "":
		return worker.DeploymentOptions{}, fmt.Errorf("%w: DeploymentName %q needs a BuildID", ErrInvalidWorkerOptions, opts.DeploymentName)
	}
	return worker.DeploymentOptions{
		UseVersioning:             true,
		Version:                   worker.WorkerDeploymentVersion{DeploymentName: opts.DeploymentName, BuildID: opts.BuildID},
		DefaultVersioningBehavior: workflow.VersioningBehaviorPinned,
	}, nil
}

// NewWorker returns a Temporal worker on taskQueue ("" = DefaultTaskQueue)
// that runs the interpreter workflow (for any workflow name) and every task
// of the registry (activity type = task name), including tasks created
// after the worker. A task the registry lacks fails at once, without
// retries, with graflow.ErrTaskNotRegistered.
func NewWorker(c client.Client, taskQueue string, opts WorkerOptions) (worker.Worker, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	reg := opts.Registry
	if reg == nil {
		reg = graflow.DefaultRegistry
	}
	deployment, err := opts.deploymentOptions()
	if err != nil {
		return nil, err
	}
	w := worker.New(c, taskQueue, worker.Options{
		Identity:                           opts.Identity,
		MaxConcurrentActivityExecutionSize: opts.MaxConcurrentTasks,
		WorkerStopTimeout:                  opts.StopTimeout,
		DeploymentOptions:                  deployment,
	})
	runner := activities.NewRunner(reg, c, opts.Logger, activities.WithPrompts(opts.Prompts), activities.WithBuild(opts.build()))
	if err := register(w, reg, runner, taskQueue, opts.UpgradeOnContinueAsNew, opts.Workflows); err != nil {
		return nil, err
	}
	// A local task (WithLocal) runs only under a name the SDK worker has,
	// so the tasks created from now on are registered as they come.
	unwatch := engine.WatchRegistry(reg, func(name string) { registerTask(w, runner, name) })
	return &taskWorker{Worker: w, unwatch: unwatch, runner: runner}, nil
}

// reportWindow bounds how long a stopped worker waits for the task attempts
// its stop canceled to return and report.
const reportWindow = 2 * time.Second

// taskWorker is a worker that registers the tasks of its registry as they
// are created, until it stops.
type taskWorker struct {
	worker.Worker
	unwatch func()
	runner  *activities.Runner
}

// Stop stops polling, lets running tasks finish within the stop timeout
// (WorkerOptions.StopTimeout), cancels the rest and waits briefly for them
// to report their attempts, so that Temporal retries them elsewhere at once
// rather than after their heartbeat timeout.
func (w *taskWorker) Stop() {
	w.unwatch()
	w.Worker.Stop()
	w.awaitReports()
}

// Run runs the worker until interruptCh delivers or closes, then stops it as
// Stop does.
func (w *taskWorker) Run(interruptCh <-chan any) error {
	err := w.Worker.Run(interruptCh)
	w.unwatch()
	w.awaitReports()
	return err
}

// awaitReports waits (at most reportWindow) until the task attempts canceled
// by the stop have returned, and a moment more for their failure reports to
// reach the server.
func (w *taskWorker) awaitReports() {
	if w.runner.Running() == 0 {
		return
	}
	deadline := time.Now().Add(reportWindow)
	for w.runner.Running() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
}

// Registrar is where Register puts the interpreter and the tasks: a
// worker.Worker, or the SDK's testsuite.TestWorkflowEnvironment.
type Registrar interface {
	RegisterDynamicWorkflow(w any, options workflow.DynamicRegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
	RegisterDynamicActivity(a any, options activity.DynamicRegisterOptions)
}

// Register registers the interpreter as the dynamic workflow (running
// workflows started by name too), runner.Run under every task name reg
// holds now, and a dynamic activity that runs the tasks reg gets later (as
// regular activities; NewWorker registers them as they come) and fails any
// other activity type with graflow.ErrTaskNotRegistered, naming taskQueue.
func Register(r Registrar, reg *graflow.Registry, runner *activities.Runner, taskQueue string, workflows ...*graflow.Workflow) error {
	return register(r, reg, runner, taskQueue, false, workflows)
}

// register is Register, with the interpreter moving runs to the current
// build at continue-as-new when upgradeOnContinueAsNew.
func register(r Registrar, reg *graflow.Registry, runner *activities.Runner, taskQueue string, upgradeOnContinueAsNew bool, workflows []*graflow.Workflow) error {
	b, err := newByName(workflows)
	if err != nil {
		return err
	}
	r.RegisterDynamicWorkflow(interpreter{byName: b, upgradeOnContinueAsNew: upgradeOnContinueAsNew}.interpret, workflow.DynamicRegisterOptions{})
	registerTasks(r, reg, runner)
	r.RegisterDynamicActivity(func(ctx context.Context, args converter.EncodedValues) (*wire.Output, error) {
		name := activity.GetInfo(ctx).ActivityType.Name
		var in wire.Input
		if _, ok := engine.LookupTask(reg, name); !ok || args.Get(&in) != nil || in.Task != name {
			return nil, runner.NotRegistered(name, taskQueue)
		}
		return runner.Run(ctx, in)
	}, activity.DynamicRegisterOptions{})
	return nil
}

// registerTasks registers runner.Run under every task name of reg.
func registerTasks(r Registrar, reg *graflow.Registry, runner *activities.Runner) {
	for _, name := range reg.Names() {
		registerTask(r, runner, name)
	}
}

// registerTask registers runner.Run under name (again, if it was).
func registerTask(r Registrar, runner *activities.Runner, name string) {
	r.RegisterActivityWithOptions(runner.Run, activity.RegisterOptions{Name: name, DisableAlreadyRegisteredCheck: true})
}
