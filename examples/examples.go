package examples

import (
	"fmt"
	"sort"

	"github.com/graflow-go/graflow/graflow"
)

// Example is a runnable workflow with its run options and the formatter of
// its printed result.
type Example struct {
	// Name is the workflow's name, used by `starter run <name>`.
	Name string
	// Description says which pattern the example shows.
	Description string
	// Workflow builds the graph.
	Workflow func() *graflow.Workflow
	// Options are the run options (start node, initial channel).
	Options []graflow.ExecuteOption
	// Format renders the run's result as the example's printed line(s).
	Format func(*graflow.Result) (string, error)
	// Output is what Format prints for a successful run (checked in CI), or
	// the error text of a run that Fails.
	Output string
	// Fails marks an example whose run ends in an error (e.g. a cancel).
	Fails bool
	// Answer is what a person answers an interactive (human-in-the-loop)
	// example with: the arguments of `starter feedback`, verb first, with
	// the workflow id left out — `starter feedback Answer[0] <workflow-id>
	// Answer[1:]...` (see hitl.go and AllInteractive).
	Answer []string
}

var all = map[string]Example{}

func register(e Example) {
	all[e.Name] = e
}

// All returns every example, sorted by name.
func All() []Example {
	out := make([]Example, 0, len(all))
	for _, e := range all {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Workflows returns the workflow of every example, interactive ones
// included, sorted by name: what cmd/worker runs when a client starts one
// by name.
func Workflows() []*graflow.Workflow {
	exs := append(All(), AllInteractive()...)
	sort.Slice(exs, func(i, j int) bool { return exs[i].Name < exs[j].Name })
	out := make([]*graflow.Workflow, len(exs))
	for i, e := range exs {
		out[i] = e.Workflow()
	}
	return out
}

// Get returns the example called name, interactive ones (AllInteractive) included.
func Get(name string) (Example, bool) {
	e, ok := all[name]
	if !ok {
		e, ok = interactive[name] // hitl.go
	}
	return e, ok
}

// Printed is what a run of the example shows, given its result and error:
// Format's text, or the error's text for an example that Fails. It is
// compared with Output by the tests.
func (e Example) Printed(res *graflow.Result, err error) (string, error) {
	switch {
	case e.Fails && err != nil:
		return err.Error(), nil
	case e.Fails:
		return "", fmt.Errorf("example %q should fail, but its run succeeded", e.Name)
	case err != nil:
		return "", err
	}
	return e.Format(res)
}

// valueAs is a Format that prints the run's value decoded as T.
func valueAs[T any](format string) func(*graflow.Result) (string, error) {
	return func(res *graflow.Result) (string, error) {
		var v T
		if err := res.Value(&v); err != nil {
			return "", err
		}
		return fmt.Sprintf(format, v), nil
	}
}
