package graflow

import (
	"context"
	"log/slog"
	"sync"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/prompts"
)

// TaskContext is what a running task sees. It is a context.Context that is
// done when the task is canceled or times out.
type TaskContext struct {
	context.Context
	env      core.TaskEnv
	channel  *Channel
	registry *Registry
	feedback *feedbackSession
	mu       sync.Mutex
	commands []core.Command
}

// newTaskContext builds the context of one task run. A nil ctx means
// context.Background, a nil ch an empty local channel, a nil reg no check
// of the tasks NextTask names, a nil Logger slog.Default; without
// env.Feedback the task cannot suspend (RequestFeedback returns
// ErrFeedbackUnsupported).
func newTaskContext(ctx context.Context, env core.TaskEnv, ch *Channel, reg *Registry) *TaskContext {
	if ctx == nil {
		ctx = context.Background()
	}
	if ch == nil {
		ch = newChannel(nil, core.ChannelOptions{})
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if env.Prompts == nil {
		env.Prompts = prompts.NewManager("")
	}
	if env.MaxCycles == 0 {
		env.MaxCycles = DefaultMaxCycles
	}
	tc := &TaskContext{Context: ctx, env: env, channel: ch, registry: reg}
	if f := env.Feedback; f != nil {
		answers, _ := f.Answers.(map[string]FeedbackResponse)
		tc.feedback = &feedbackSession{answers: answers, timedOut: f.TimedOut}
	}
	return tc
}

// TaskID returns the id of the running node.
func (c *TaskContext) TaskID() string { return c.env.TaskID }

// WorkflowID returns the run's workflow id.
func (c *TaskContext) WorkflowID() string { return c.env.WorkflowID }

// RunID returns the run's run id.
func (c *TaskContext) RunID() string { return c.env.RunID }

// Attempt returns the 1-based attempt of this task run.
func (c *TaskContext) Attempt() int { return c.env.Attempt }

// Cycle returns how often this task has run in this run, this run included (1-based).
func (c *TaskContext) Cycle() int { return c.env.Cycle }

// MaxCycles returns how often the task may run in one run.
func (c *TaskContext) MaxCycles() int { return c.env.MaxCycles }

// CanIterate reports whether the task may run again (false on its last allowed cycle).
func (c *TaskContext) CanIterate() bool { return c.env.Cycle < c.env.MaxCycles }

// Logger returns a logger tagged with the task and run.
func (c *TaskContext) Logger() *slog.Logger { return c.env.Logger }

// Channel returns the run's channel as this task sees it: the values at the
// task's start plus its own writes.
func (c *TaskContext) Channel() *Channel { return c.channel }

// Prompts returns the worker's prompt manager (its prompts.dir setting, else
// GRAFLOW_PROMPTS_DIR, else ./prompts).
func (c *TaskContext) Prompts() *prompts.Manager { return c.env.Prompts }

// Result decodes the result of task taskID into dst (ErrKeyNotFound if it has none).
func (c *TaskContext) Result(taskID string, dst any) error {
	return c.channel.Get(ResultKey(taskID), dst)
}
