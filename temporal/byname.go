package temporal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
)

// StartInput is the input of a run started by name by any Temporal client
// (the Web UI, `temporal workflow start`, another SDK, a Schedule): one
// JSON object, optional, whose fields are optional too. Channel values are
// plain JSON; Start names the node the run begins at (default: the single
// root).
//
//	{"channel": {"items": ["a", "b"]}, "start": "fetch"}
type StartInput struct {
	Channel map[string]json.RawMessage `json:"channel,omitempty"`
	Start   string                     `json:"start,omitempty"`
}

// startFields are the fields a by-name input may have.
var startFields = []string{"channel", "start"}

// byName holds the workflows a worker runs when they are started by name.
type byName map[string]*graflow.Workflow

// newByName indexes workflows by name; each must be valid and named once.
func newByName(workflows []*graflow.Workflow) (byName, error) {
	out := byName{}
	seen := map[string]bool{}
	var problems []error
	for _, wf := range workflows {
		if wf == nil {
			problems = append(problems, fmt.Errorf("%w: a nil workflow in WorkerOptions.Workflows", graflow.ErrInvalidGraph))
			continue
		}
		if seen[wf.Name()] {
			problems = append(problems, fmt.Errorf("%w: two workflows named %q in WorkerOptions.Workflows", graflow.ErrInvalidGraph, wf.Name()))
			continue
		}
		seen[wf.Name()] = true
		if err := wf.Validate(); err != nil {
			problems = append(problems, err)
			continue
		}
		out[wf.Name()] = wf
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("graflow: worker workflows: %w", errors.Join(problems...))
	}
	return out, nil
}

// compiled is what a by-name start records in the run's history (a side
// effect): the compiled run input, or why it could not be compiled.
type compiled struct {
	Input *wire.RunInput `json:"input,omitempty"`
	Error string         `json:"error,omitempty"`
}

// anyInput is every input the interpreter accepts, decoded in one pass: a
// run compiled by the Runner (Spec set; its channel entries decoded after)
// or a start by name (only Channel and Start).
type anyInput struct {
	Spec    *wire.Spec                 `json:"spec"`
	Channel map[string]json.RawMessage `json:"channel"`
	Start   string                     `json:"start"`
	Child   *wire.ChildInput           `json:"child"`
	Resume  *wire.RunState             `json:"resume"`
}

// runInput decodes the interpreter's input: a run compiled by the Runner,
// or a start by name, which it compiles from the worker's definition once
// and records in the history, so that replay and continue-as-new never
// depend on the worker's code changing later.
func (b byName) runInput(ctx workflow.Context, args converter.EncodedValues) (*wire.RunInput, error) {
	info := workflow.GetInfo(ctx)
	name, queue := info.WorkflowType.Name, info.TaskQueueName
	var raw json.RawMessage
	if args != nil && args.HasValues() {
		if err := args.Get(&raw); err != nil {
			return nil, inputError(name, queue, "undecodable: %v", err)
		}
	}
	var in anyInput
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return nil, inputError(name, queue, "%v (fields: %s), got %s", err, strings.Join(startFields, ", "), abbreviate(raw))
		}
	}
	if in.Spec != nil {
		return in.compiled(name, queue)
	}
	if in.Child != nil || in.Resume != nil {
		return nil, inputError(name, queue, "child or resume state without a spec")
	}
	wf := b[name]
	// On replay the compiled input comes from the history (the side effect
	// below), so a worker whose build dropped the workflow still replays
	// the runs started by name before.
	if wf == nil && !workflow.IsReplaying(ctx) {
		known := slices.Sorted(maps.Keys(b))
		return nil, fmt.Errorf("%w: workflow type %q is not registered on task queue %q (registered: %s)",
			graflow.ErrWorkflowNotRegistered, name, queue, listOrNone(known))
	}
	start := StartInput{Channel: in.Channel, Start: in.Start}
	var c compiled
	if err := workflow.SideEffect(ctx, func(workflow.Context) any { return compileStart(wf, start) }).Get(&c); err != nil {
		return nil, err
	}
	if c.Error != "" {
		return nil, fmt.Errorf("%w: workflow type %q on task queue %q: %s", graflow.ErrInvalidInput, name, queue, c.Error)
	}
	return c.Input, nil
}

// compiled returns in as the run input the Runner compiled.
func (in *anyInput) compiled(name, queue string) (*wire.RunInput, error) {
	if len(in.Spec.Nodes) == 0 {
		return nil, inputError(name, queue, "a compiled run input without nodes")
	}
	out := &wire.RunInput{Spec: *in.Spec, Child: in.Child, Resume: in.Resume, Channel: make(map[string]wire.ChannelEntry, len(in.Channel))}
	for k, raw := range in.Channel {
		var e wire.ChannelEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, inputError(name, queue, "channel key %q of a compiled run input: %v", k, err)
		}
		out.Channel[k] = e
	}
	return out, nil
}

// compileStart compiles wf for a by-name start.
func compileStart(wf *graflow.Workflow, in StartInput) compiled {
	first, err := engine.StartNode(wf, in.Start)
	if err != nil {
		return compiled{Error: err.Error()}
	}
	channel := make(map[string]any, len(in.Channel))
	for k, v := range in.Channel {
		channel[k] = v
	}
	ri, err := engine.Compile(wf, engine.RunConfig{Start: first, InitialChannel: channel})
	if err != nil {
		return compiled{Error: err.Error()}
	}
	return compiled{Input: &ri}
}

func inputError(name, queue, format string, args ...any) error {
	return fmt.Errorf("%w: workflow type %q on task queue %q: the input must be nothing or one JSON object {\"channel\": {...}, \"start\": \"<node id>\"}: %s",
		graflow.ErrInvalidInput, name, queue, fmt.Sprintf(format, args...))
}

func abbreviate(raw []byte) string {
	if len(raw) > 60 {
		return string(raw[:57]) + "..."
	}
	return string(raw)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
