package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/runview"
)

// graphFormats are the --format values of `starter graph`.
var graphFormats = map[string]func(flowgraph.Graph) string{
	"mermaid": flowgraph.Mermaid,
	"dot":     flowgraph.Dot,
}

// newGraphCmd builds `starter graph`: a workflow's or a run's graph.
func newGraphCmd(a *app) *cobra.Command {
	var format, workflowID, runID string
	cmd := &cobra.Command{
		Use:   "graph [<workflow>] [--workflow-id <id>]",
		Short: "Print a workflow's graph, or a run's coloured by state, as Mermaid or dot",
		Long: `Print the graph of a workflow (see "starter list") or, with --workflow-id,
of a run: with the nodes its tasks added at run time, each coloured by its
state (done, running, retrying, waiting for feedback, failed; white: not
reached). Mermaid renders as-is in GitHub markdown inside a "mermaid" code
block; dot renders with Graphviz ("dot -Tsvg").`,
		Example: `  starter graph diamond
  starter graph create_workers --format dot | dot -Tsvg > create_workers.svg
  starter graph --workflow-id create_workers-1a2b3c4d`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return fmt.Errorf("want one workflow name, got %d arguments", len(args))
			case len(args) == 1 && workflowID != "":
				return errors.New("give a workflow name or --workflow-id, not both")
			case len(args) == 0 && workflowID == "":
				return errors.New("give a workflow name (see starter list) or --workflow-id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			render, ok := graphFormats[format]
			if !ok {
				return fmt.Errorf("unknown --format %q (want mermaid or dot)", format)
			}
			var g flowgraph.Graph
			if workflowID == "" {
				var err error
				if g, err = staticGraph(args[0]); err != nil {
					return err
				}
			} else {
				c, ro, err := a.connect(cmd)
				if err != nil {
					return err
				}
				defer c.Close()
				run, err := runview.Load(cmd.Context(), c, workflowID, runID, ro.DataConverter)
				if err != nil {
					return err
				}
				g = run.Graph
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), render(g))
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&format, "format", "mermaid", "mermaid or dot")
	fs.StringVar(&workflowID, "workflow-id", "", "draw this run's graph, coloured by state")
	fs.StringVar(&runID, "run-id", "", "with --workflow-id: run id (default: the latest run)")
	return cmd
}

// staticGraph is the compiled graph of workflow name.
func staticGraph(name string) (flowgraph.Graph, error) {
	wf, err := workflowByName(name)
	if err != nil {
		return flowgraph.Graph{}, err
	}
	in, err := engine.Compile(wf, engine.RunConfig{})
	if err != nil {
		return flowgraph.Graph{}, err
	}
	return flowgraph.FromSpec(in.Spec.Name, in.Spec.Nodes, in.Spec.Edges), nil
}
