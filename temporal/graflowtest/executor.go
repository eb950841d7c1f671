package graflowtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/temporal"
)

// Executor is a graflow.Executor running each workflow to completion in a
// fresh SDK test environment.
type Executor struct {
	registry *graflow.Registry
	mu       sync.Mutex
	results  map[string]outcome
	seq      int
}

type outcome struct {
	res *graflow.Result
	err error
}

var _ graflow.Executor = (*Executor)(nil)

// NewExecutor returns an Executor for the tasks of reg (nil = graflow.DefaultRegistry).
func NewExecutor(reg *graflow.Registry) *Executor {
	if reg == nil {
		reg = graflow.DefaultRegistry
	}
	return &Executor{registry: reg, results: map[string]outcome{}}
}

// Execute runs wf in a test environment and returns its result or typed error.
func (e *Executor) Execute(ctx context.Context, wf *graflow.Workflow, cfg engine.RunConfig) (*graflow.Result, error) {
	h, err := e.Start(ctx, wf, cfg)
	if err != nil {
		return nil, err
	}
	return h.Result(ctx)
}

// Start runs wf to completion (the test environment is synchronous) and
// returns a handle to its stored outcome.
func (e *Executor) Start(_ context.Context, wf *graflow.Workflow, cfg engine.RunConfig) (*graflow.Handle, error) {
	in, err := engine.Compile(wf, cfg)
	if err != nil {
		return nil, err
	}
	in.Spec.InlineChannel = true
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	if err := temporal.Register(env, e.registry, activities.NewRunner(e.registry, nil, nil), "graflowtest"); err != nil {
		return nil, err
	}
	env.ExecuteWorkflow(wf.Name(), in)

	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	id := cfg.WorkflowID
	if id == "" {
		id = fmt.Sprintf("%s-test-%d", wf.Name(), e.seq)
	}
	var o outcome
	switch {
	case !env.IsWorkflowCompleted():
		o.err = errors.New("graflowtest: workflow did not complete")
	case env.GetWorkflowError() != nil:
		o.err = failures.Decode(env.GetWorkflowError())
	default:
		var out wire.RunOutput
		if o.err = env.GetWorkflowResult(&out); o.err == nil {
			o.res = engine.NewResult(id, "", out.Value, engine.NewChannel(out.Channel, engine.ChannelOptions{ReadOnly: true}))
		}
	}
	e.results[id] = o
	return engine.NewHandle(e, id, ""), nil
}

// Result returns the outcome of a run started by this executor.
func (e *Executor) Result(_ context.Context, workflowID, _ string) (*graflow.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.results[workflowID]
	if !ok {
		return nil, fmt.Errorf("graflowtest: no run %q", workflowID)
	}
	return o.res, o.err
}
