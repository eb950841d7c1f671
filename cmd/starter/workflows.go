package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
)

// lookupExample returns the example called name, or an error listing the
// known ones.
func lookupExample(name string) (examples.Example, error) {
	if ex, ok := examples.Get(name); ok {
		return ex, nil
	}
	all := examples.All()
	if len(all) == 0 {
		return examples.Example{}, fmt.Errorf("unknown workflow %q: no workflows are registered", name)
	}
	names := make([]string, len(all))
	for i, ex := range all {
		names[i] = ex.Name
	}
	return examples.Example{}, fmt.Errorf("unknown workflow %q; known workflows: %s", name, strings.Join(names, ", "))
}

// exampleForID guesses the example of a workflow id made by the Runner,
// "<name>-<suffix>": the longest example name followed by "-" that starts
// id.
func exampleForID(workflowID string) (examples.Example, bool) {
	var best examples.Example
	found := false
	for _, ex := range append(examples.All(), examples.AllInteractive()...) {
		if strings.HasPrefix(workflowID, ex.Name+"-") && len(ex.Name) > len(best.Name) {
			best, found = ex, true
		}
	}
	return best, found
}

// oneArg accepts exactly one positional argument, named what in errors.
func oneArg(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("missing %s (see %s --help)", what, cmd.CommandPath())
		case len(args) > 1:
			return fmt.Errorf("want one %s, got %d arguments: %s", what, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

// prepare looks up the example called name, builds its workflow and its run
// options, and checks the graph and the start node, so that mistakes show
// before any connection or server start.
func (f *runFlags) prepare(name string) (examples.Example, *graflow.Workflow, []graflow.ExecuteOption, error) {
	ex, err := lookupExample(name)
	if err != nil {
		return examples.Example{}, nil, nil, err
	}
	opts, err := f.options(ex)
	if err != nil {
		return examples.Example{}, nil, nil, err
	}
	var wf *graflow.Workflow
	if ex.Workflow != nil {
		wf = ex.Workflow()
	}
	if wf == nil {
		return examples.Example{}, nil, nil, fmt.Errorf("workflow %q: the example builds no workflow", name)
	}
	if err := wf.Validate(); err != nil {
		return examples.Example{}, nil, nil, err
	}
	var cfg engine.RunConfig
	for _, o := range opts {
		o(&cfg)
	}
	if _, err := engine.StartNode(wf, cfg.Start); err != nil {
		return examples.Example{}, nil, nil, err
	}
	return ex, wf, opts, nil
}

// runFlags are the flags of the verbs that start a run (run, start).
type runFlags struct {
	inputs     []string
	workflowID string
	start      string
}

func (f *runFlags) add(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringArrayVarP(&f.inputs, "input", "i", nil,
		"initial channel value `key=value` (repeatable; value as JSON if it parses, else a string)")
	fs.StringVar(&f.workflowID, "workflow-id", "", "workflow id of the run (default <workflow>-<random>)")
	fs.StringVar(&f.start, "start", "", "node the run starts at (default: the example's, or the single root)")
}

// options returns the run options: the example's own, then the initial
// channel with the --input values merged over the example's, then --start
// and --workflow-id.
func (f *runFlags) options(ex examples.Example) ([]graflow.ExecuteOption, error) {
	inputs, err := parseInputs(f.inputs)
	if err != nil {
		return nil, err
	}
	opts := slices.Clone(ex.Options)
	if len(inputs) > 0 {
		opts = append(opts, graflow.InitialChannel(initialChannel(ex, inputs)))
	}
	if f.start != "" {
		opts = append(opts, graflow.Start(f.start))
	}
	if f.workflowID != "" {
		opts = append(opts, graflow.WorkflowID(f.workflowID))
	}
	return opts, nil
}

// initialChannel is the example's initial channel with inputs merged over
// it (a zero Example has none).
func initialChannel(ex examples.Example, inputs map[string]any) map[string]any {
	var cfg engine.RunConfig
	for _, o := range ex.Options {
		o(&cfg)
	}
	merged := maps.Clone(cfg.InitialChannel)
	if merged == nil {
		merged = map[string]any{}
	}
	maps.Copy(merged, inputs)
	return merged
}

// parseInputs parses key=value pairs; a later pair overrides an earlier one
// with the same key.
func parseInputs(pairs []string) (map[string]any, error) {
	return parsePairs("--input", pairs, parseValue)
}

// parsePairs parses key=value pairs given with flag (later keys win), each
// value converted by value.
func parsePairs(flag string, pairs []string, value func(string) any) (map[string]any, error) {
	out := make(map[string]any, len(pairs))
	for _, p := range pairs {
		key, raw, ok := strings.Cut(p, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("invalid %s %q: want key=value", flag, p)
		}
		out[key] = value(raw)
	}
	return out, nil
}

// parseValue returns raw decoded as JSON when it is one complete JSON value
// (numbers kept exact), else raw as a string.
func parseValue(raw string) any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return raw // trailing data: "1 2", "true story"
	}
	return v
}

// formatResult renders a result with the example's Format, or as its raw
// JSON value when there is no example or no Format.
func formatResult(ex *examples.Example, res *graflow.Result) (string, error) {
	if ex != nil && ex.Format != nil {
		out, err := ex.Format(res)
		if err != nil {
			return "", fmt.Errorf("formatting the result of %s: %w", res.WorkflowID, err)
		}
		return out, nil
	}
	return rawJSON(res), nil
}

// rawJSON returns the run's value as compact JSON ("null" when empty).
func rawJSON(res *graflow.Result) string {
	raw := res.Raw()
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// workflowByName returns the workflow of that name that workers run by
// name (every example).
func workflowByName(name string) (*graflow.Workflow, error) {
	all := examples.Workflows()
	if i := slices.IndexFunc(all, func(w *graflow.Workflow) bool { return w.Name() == name }); i >= 0 {
		return all[i], nil
	}
	names := make([]string, len(all))
	for j, w := range all {
		names[j] = w.Name()
	}
	slices.Sort(names)
	return nil, fmt.Errorf("unknown workflow %q (known: %s)", name, strings.Join(names, ", "))
}
