package wire

import (
	"slices"
	"time"
)

// RetryPolicy is graflow.RetryPolicy on the wire.
type RetryPolicy struct {
	InitialInterval    time.Duration `json:"initial_interval,omitempty"`
	BackoffCoefficient float64       `json:"backoff_coefficient,omitempty"`
	MaximumInterval    time.Duration `json:"maximum_interval,omitempty"`
}

// TaskOptions are a task's settings (graflow's With… task options); the
// zero value means defaults.
type TaskOptions struct {
	MaxRetries          int           `json:"max_retries,omitempty"`
	RetryPolicy         *RetryPolicy  `json:"retry_policy,omitempty"`
	Timeout             time.Duration `json:"timeout,omitempty"`
	HeartbeatTimeout    time.Duration `json:"heartbeat_timeout,omitempty"`
	MaxCycles           int           `json:"max_cycles,omitempty"`
	TaskQueue           string        `json:"task_queue,omitempty"`
	NoChannelResolution bool          `json:"no_channel_resolution,omitempty"`
	Reads               []string      `json:"reads,omitempty"`
	// Local runs the task as a Temporal local activity (WithLocal); nil =
	// the workflow's default, false = a regular activity (WithoutLocal).
	Local *bool `json:"local,omitempty"`
}

// IsLocal reports whether the task runs as a local activity: WithLocal, and
// not routed to another task queue.
func (o TaskOptions) IsLocal() bool { return o.Local != nil && *o.Local && o.TaskQueue == "" }

// WithDefaults fills the fields o leaves at their zero value from d.
func (o TaskOptions) WithDefaults(d TaskOptions) TaskOptions {
	if o.MaxRetries == 0 {
		o.MaxRetries = d.MaxRetries
	}
	if o.RetryPolicy == nil && d.RetryPolicy != nil {
		p := *d.RetryPolicy
		o.RetryPolicy = &p
	}
	if o.Timeout == 0 {
		o.Timeout = d.Timeout
	}
	if o.HeartbeatTimeout == 0 {
		o.HeartbeatTimeout = d.HeartbeatTimeout
	}
	if o.MaxCycles == 0 {
		o.MaxCycles = d.MaxCycles
	}
	if o.TaskQueue == "" {
		o.TaskQueue = d.TaskQueue
	}
	o.NoChannelResolution = o.NoChannelResolution || d.NoChannelResolution
	if o.Local == nil {
		o.Local = d.Local
	}
	if len(d.Reads) > 0 {
		reads := slices.Clone(o.Reads)
		for _, k := range d.Reads {
			if !slices.Contains(reads, k) {
				reads = append(reads, k)
			}
		}
		o.Reads = reads
	}
	return o
}

// Policy is a parallel group's graflow.Policy: Type "strict" (or ""),
// "best_effort", "at_least" (MinSuccess) or "critical" (Critical).
type Policy struct {
	Type       string   `json:"type"`
	MinSuccess int      `json:"min_success,omitempty"`
	Critical   []string `json:"critical,omitempty"`
}
