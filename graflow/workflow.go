package graflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// Workflow is a named graph of tasks. Build it with Add, check it with
// Validate, run it with Execute or Start through an Executor.
type Workflow struct {
	name  string
	opts  workflowConfig
	b     *builder
	flows []string
}

// WorkflowOption configures a Workflow.
type WorkflowOption func(*workflowConfig)

type workflowConfig struct {
	maxSteps     int
	taskDefaults wire.TaskOptions
}

// DefaultMaxSteps bounds the number of task runs in one run unless WithMaxSteps says otherwise.
const DefaultMaxSteps = 10000

// WithMaxSteps bounds how many task runs one run may make (default 10,000).
func WithMaxSteps(n int) WorkflowOption { return func(c *workflowConfig) { c.maxSteps = n } }

// WithDefaultTaskOptions sets task options (WithTimeout, WithMaxRetries, ...)
// for every task of the workflow that leaves them unset itself. WithRegistry
// has no effect here.
func WithDefaultTaskOptions(opts ...TaskOption) WorkflowOption {
	return func(c *workflowConfig) {
		tc := taskConfig{opts: c.taskDefaults}
		for _, o := range opts {
			if o != nil {
				o(&tc)
			}
		}
		c.taskDefaults = tc.opts
	}
}

// NewWorkflow returns an empty workflow. The name is the run's workflow type
// on Temporal and must match [A-Za-z0-9_-]+.
func NewWorkflow(name string, opts ...WorkflowOption) *Workflow {
	w := &Workflow{name: name, opts: workflowConfig{maxSteps: DefaultMaxSteps}, b: newBuilder()}
	for _, o := range opts {
		o(&w.opts)
	}
	return w
}

// Name returns the workflow's name.
func (w *Workflow) Name() string { return w.name }

// MaxSteps returns the step bound of a run.
func (w *Workflow) MaxSteps() int { return w.opts.maxSteps }

// Add adds nodes and their edges to the graph. It may be called many times;
// one id is one node, however often it appears.
func (w *Workflow) Add(nodes ...Node) {
	for _, n := range nodes {
		buildNode(w.b, n)
		w.flows = append(w.flows, nodeString(n))
	}
}

// String returns the workflow's flow expression: what was added, in the
// operators it was written with ("fetch >> (a | b) >> store"); nodes added
// by separate Add calls are separated by "; ".
func (w *Workflow) String() string { return strings.Join(w.flows, "; ") }

// graph returns the workflow compiled for an executor.
func (w *Workflow) graph() core.Graph {
	g := core.Graph{Name: w.name, Flow: w.String(), MaxSteps: w.opts.maxSteps, Defaults: w.opts.taskDefaults}
	for _, id := range w.b.order {
		g.Nodes = append(g.Nodes, w.b.nodes[id].view())
	}
	g.Edges = append(g.Edges, w.b.edges...)
	return g
}

// Validate returns every problem of the graph at once (errors.Join), each
// wrapping ErrInvalidGraph, or nil.
func (w *Workflow) Validate() error {
	problems := append([]error(nil), w.b.problems...)
	if err := checkName("workflow", w.name); err != nil {
		problems = append(problems, err)
	}
	if w.opts.maxSteps <= 0 {
		problems = append(problems, fmt.Errorf("%w: workflow %q: max steps must be positive, got %d", ErrInvalidGraph, w.name, w.opts.maxSteps))
	}
	if len(w.b.nodes) == 0 {
		problems = append(problems, fmt.Errorf("%w: workflow %q has no tasks", ErrInvalidGraph, w.name))
	}
	return errors.Join(problems...)
}

// startNode resolves the node a run begins at: start when given (it must
// exist), else the single root. Members of groups are never roots.
func (w *Workflow) startNode(start string) (string, error) {
	if start != "" {
		if _, ok := w.b.nodes[start]; !ok {
			return "", fmt.Errorf("%w: start node %q is not in workflow %q (nodes: %s)", ErrInvalidGraph, start, w.name, strings.Join(w.b.order, ", "))
		}
		return start, nil
	}
	roots := w.b.roots()
	switch len(roots) {
	case 1:
		return roots[0], nil
	case 0:
		return "", fmt.Errorf("%w: workflow %q has no start node (every node has a predecessor); use graflow.Start", ErrInvalidGraph, w.name)
	default:
		return "", fmt.Errorf("%w: workflow %q has several start nodes [%s]; use graflow.Start to pick one", ErrInvalidGraph, w.name, strings.Join(roots, ", "))
	}
}

// runConfig is the resolved options of one Execute or Start call.
type runConfig = core.RunConfig

// ExecuteOption configures one run.
type ExecuteOption func(*runConfig)

// Start names the node the run begins at; it may be omitted when the graph
// has exactly one root.
func Start(id string) ExecuteOption { return func(c *runConfig) { c.Start = id } }

// InitialChannel seeds the run's channel.
func InitialChannel(values map[string]any) ExecuteOption {
	return func(c *runConfig) { c.InitialChannel = values }
}

// WorkflowID sets the run's workflow id (default: a generated one).
func WorkflowID(id string) ExecuteOption { return func(c *runConfig) { c.WorkflowID = id } }

func (w *Workflow) prepare(opts []ExecuteOption) (runConfig, error) {
	var cfg runConfig
	for _, o := range opts {
		o(&cfg)
	}
	if err := w.Validate(); err != nil {
		return cfg, err
	}
	start, err := w.startNode(cfg.Start)
	cfg.Start = start
	return cfg, err
}

// Execute validates the workflow, runs it through exec and waits for its result.
func (w *Workflow) Execute(ctx context.Context, exec Executor, opts ...ExecuteOption) (*Result, error) {
	cfg, err := w.prepare(opts)
	if err != nil {
		return nil, err
	}
	return exec.Execute(ctx, w, cfg)
}

// Start validates the workflow and starts a run without waiting for it.
func (w *Workflow) Start(ctx context.Context, exec Executor, opts ...ExecuteOption) (*Handle, error) {
	cfg, err := w.prepare(opts)
	if err != nil {
		return nil, err
	}
	return exec.Start(ctx, w, cfg)
}
