package graflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"time"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// None is the input or output type of a task that takes or returns nothing.
type None = struct{}

// Params are parameters bound to a task instance, keyed like the task's In fields.
type Params map[string]any

// RetryPolicy shapes the delay between retries of a task's own errors.
type RetryPolicy struct {
	InitialInterval    time.Duration
	BackoffCoefficient float64
	MaximumInterval    time.Duration
}

// TaskOption configures a task at NewTask.
type TaskOption func(*taskConfig)

type taskConfig struct {
	opts     wire.TaskOptions
	registry *Registry
}

// WithMaxRetries lets a task's own errors be retried n times (default 0).
func WithMaxRetries(n int) TaskOption { return func(c *taskConfig) { c.opts.MaxRetries = n } }

// WithRetryPolicy sets the backoff between retries.
func WithRetryPolicy(p RetryPolicy) TaskOption {
	return func(c *taskConfig) {
		c.opts.RetryPolicy = &wire.RetryPolicy{InitialInterval: p.InitialInterval, BackoffCoefficient: p.BackoffCoefficient, MaximumInterval: p.MaximumInterval}
	}
}

// WithTimeout bounds one attempt of the task body (Temporal's start-to-close timeout).
func WithTimeout(d time.Duration) TaskOption { return func(c *taskConfig) { c.opts.Timeout = d } }

// WithHeartbeatTimeout sets how long a silent worker is trusted before the
// attempt is retried elsewhere. Tasks heartbeat automatically.
func WithHeartbeatTimeout(d time.Duration) TaskOption {
	return func(c *taskConfig) { c.opts.HeartbeatTimeout = d }
}

// WithMaxCycles bounds how often the task may run in one run (default 10).
func WithMaxCycles(n int) TaskOption { return func(c *taskConfig) { c.opts.MaxCycles = n } }

// WithLocal runs the task as a Temporal local activity on the worker that
// runs the workflow: no task-queue round trip and about a third of the
// history events, for short tasks (parse, route, merge, score; well under
// the workflow task timeout of 10 s is best). It behaves like a regular
// task — parameters, channel, retries, feedback, dynamic control flow —
// with these limits: it cannot be routed (WithTaskQueue wins), it is sent
// the whole channel (no size cut: keep the channel small), it does not
// heartbeat (a crashed worker is noticed when the workflow task times out,
// and the task then runs again on the next worker), and WithTimeout bounds
// each attempt. In WithDefaultTaskOptions it applies to every task of the
// workflow; WithoutLocal opts one task out.
func WithLocal() TaskOption {
	return func(c *taskConfig) { local := true; c.opts.Local = &local }
}

// WithoutLocal runs the task as a regular activity even when the
// workflow's defaults say WithLocal.
func WithoutLocal() TaskOption {
	return func(c *taskConfig) { local := false; c.opts.Local = &local }
}

// WithTaskQueue routes the task to workers polling queue q (Graflow's handler=).
func WithTaskQueue(q string) TaskOption { return func(c *taskConfig) { c.opts.TaskQueue = q } }

// WithoutChannelResolution fills parameters from bound values only (Graflow's
// resolve_keyword_args=False).
func WithoutChannelResolution() TaskOption {
	return func(c *taskConfig) { c.opts.NoChannelResolution = true }
}

// WithReads names channel keys the body reads with Channel().Get, so they
// travel with the task whatever their size. It is an optimisation, never
// needed for correctness: small channels travel whole, and a key the task
// read on demand once travels with its later runs.
func WithReads(keys ...string) TaskOption {
	return func(c *taskConfig) { c.opts.Reads = append(c.opts.Reads, keys...) }
}

// WithRegistry registers the task in r instead of DefaultRegistry.
func WithRegistry(r *Registry) TaskOption { return func(c *taskConfig) { c.registry = r } }

// Task is a named, typed unit of work. Used as a Node, its id is its name.
type Task[In, Out any] struct {
	name string
	fn   func(*TaskContext, In) (Out, error)
	info *taskInfo
	err  error
}

// NewTask defines a task and registers it in DefaultRegistry (or the registry
// given with WithRegistry). In must be a struct (or None); its fields are the
// task's parameters, keyed by a `graflow:"key"` tag, else the json tag name,
// else the field name. A bad name, a bad In type or a duplicate registration
// is reported by Workflow.Validate and by every run of the task.
func NewTask[In, Out any](name string, fn func(*TaskContext, In) (Out, error), opts ...TaskOption) *Task[In, Out] {
	cfg := taskConfig{registry: DefaultRegistry}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.registry == nil {
		cfg.registry = DefaultRegistry
	}
	t := &Task[In, Out]{name: name, fn: fn}
	fields, err := paramFields(reflect.TypeFor[In]())
	if err == nil {
		err = checkName("task", name)
	}
	if err == nil && fn == nil {
		err = errors.New("task function is nil")
	}
	if err != nil {
		t.err = &TaskDefinitionError{Task: name, Err: err}
		return t
	}
	info := &taskInfo{Name: name, Params: fieldKeys(fields), Options: cfg.opts, fields: fields, invoke: t.invoke}
	registered, err := cfg.registry.register(info)
	if err != nil {
		t.err = err
		return t
	}
	t.info = registered
	return t
}

// Name returns the task's name (its activity type on Temporal).
func (t *Task[In, Out]) Name() string { return t.name }

// Run calls the task body directly, without any executor. The TaskContext it
// receives has a local in-memory channel.
func (t *Task[In, Out]) Run(ctx context.Context, in In) (Out, error) {
	if t.err != nil {
		var zero Out
		return zero, t.err
	}
	if t.fn == nil {
		var zero Out
		return zero, fmt.Errorf("task %q: not created with NewTask", t.name)
	}
	tc := newTaskContext(ctx, core.TaskEnv{Task: t.name, TaskID: t.name, Attempt: 1, Cycle: 1, MaxCycles: t.info.maxCycles()}, nil, nil)
	return t.fn(tc, in)
}

// Instance returns a node running this task under id with params bound.
// An empty id gives "<name>_<8 hex>". Unknown parameter keys are reported by
// Workflow.Validate.
func (t *Task[In, Out]) Instance(id string, params Params) *Instance {
	if id == "" {
		id = autoID(t.name)
	}
	return &Instance{id: id, task: t.name, info: t.info, err: t.err, params: maps.Clone(params)}
}

// String returns the task's name, its Graflow expression.
func (t *Task[In, Out]) String() string { return t.name }

func (t *Task[In, Out]) build(b *builder) (string, string) {
	b.task(t.name, t.name, t.info, t.err, nil)
	return t.name, t.name
}

func (t *Task[In, Out]) invoke(tc *TaskContext, params map[string]json.RawMessage) (json.RawMessage, error) {
	var in In
	if err := decodeParams(t.name, t.info.fields, params, &in); err != nil {
		return nil, err
	}
	out, err := t.fn(tc, in)
	if err != nil {
		return nil, err
	}
	if reflect.TypeFor[Out]() == reflect.TypeFor[None]() {
		return json.RawMessage("null"), nil
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, &TaskError{TaskID: tc.TaskID(), Attempt: tc.Attempt(), Err: err}
	}
	return raw, nil
}

// TaskDefinitionError reports a task that cannot be used: bad name or In type.
type TaskDefinitionError struct {
	Task string
	Err  error
}

// Error describes the failure.
func (e *TaskDefinitionError) Error() string {
	return "task " + `"` + e.Task + `"` + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TaskDefinitionError) Unwrap() error { return e.Err }
