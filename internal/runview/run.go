package runview

import (
	"time"

	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// Run is what one run did so far.
type Run struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	Type       string `json:"workflow_type"`
	TaskQueue  string `json:"task_queue"`
	// Status is the execution's status as Temporal names it (Running,
	// Completed, Failed, …).
	Status string `json:"status"`
	// Build is the Worker Deployment version the run is on ("" for
	// unversioned workers; see Build).
	Build string `json:"build,omitempty"`
	// Flow is the workflow's flow expression ("" for a child run).
	Flow  string     `json:"flow,omitempty"`
	Start time.Time  `json:"start_time"`
	Close *time.Time `json:"close_time,omitempty"`
	// Group and Members are set for a child run of a dynamic group.
	Group   string   `json:"group,omitempty"`
	Members []string `json:"members,omitempty"`
	// Failure is why the run failed.
	Failure string `json:"failure,omitempty"`
	// ContinuedAs is the run id it continued as new with.
	ContinuedAs string `json:"continued_as,omitempty"`

	Tasks    []Task            `json:"tasks"`
	Groups   []Group           `json:"groups,omitempty"`
	Channel  []Key             `json:"channel"`
	Graph    flowgraph.Graph   `json:"-"`
	Feedback []signals.Pending `json:"pending_feedback,omitempty"`
	// FeedbackUnknown says the run waits for feedback but no worker
	// answered the query for the requests.
	FeedbackUnknown bool                  `json:"feedback_unknown,omitempty"`
	Checkpoints     []temporal.Checkpoint `json:"checkpoints,omitempty"`
}

// Task is one task node of the run.
type Task struct {
	ID    string          `json:"id"`
	Name  string          `json:"task"`
	State flowgraph.State `json:"state"`
	// Runs counts the times it ran (more than one in a loop).
	Runs int `json:"runs"`
	// Attempts are the attempts of its latest run: its own retries
	// (WithMaxRetries) and Temporal's retries after crashes and timeouts.
	Attempts int `json:"attempts"`
	// Duration is its latest run's, from scheduled to closed (or to now).
	Duration time.Duration `json:"duration_ns"`
	// Worker is the identity of the worker of its latest attempt.
	Worker string `json:"worker,omitempty"`
	Error  string `json:"error,omitempty"`
	// Local says it ran as a local activity (WithLocal).
	Local bool `json:"local,omitempty"`
	// Child is the child run it ran in (a branch of a group run as child
	// runs): its attempts, duration and worker are in that run.
	Child string `json:"child_run,omitempty"`

	scheduled time.Time
}

// Group is a dynamic group: its branches and the child runs they run in.
type Group struct {
	ID       string  `json:"id"`
	Policy   string  `json:"policy"`
	Branches int     `json:"branches"`
	Children []Child `json:"children"`
}

// Child is one child run of a dynamic group.
type Child struct {
	WorkflowID string   `json:"workflow_id"`
	RunID      string   `json:"run_id,omitempty"`
	Members    []string `json:"members"`
	// Status is Running, Completed, Failed, … (Completed even when some of
	// its branches failed: see Failed).
	Status string `json:"status"`
	// Failed counts its branches that failed.
	Failed int `json:"failed_branches,omitempty"`
}

// Key is one channel key and the size of its JSON value.
type Key struct {
	Name  string `json:"key"`
	Bytes int    `json:"bytes"`
}

// Counts returns how many tasks are in each state.
func (r *Run) Counts() map[flowgraph.State]int {
	out := map[flowgraph.State]int{}
	for _, t := range r.Tasks {
		out[t.State]++
	}
	return out
}
