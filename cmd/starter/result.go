package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/temporal"
)

// newResultCmd builds `starter result`: wait for a run and print its result.
func newResultCmd(a *app) *cobra.Command {
	var runID, workflow string
	var of outputFlags
	cmd := &cobra.Command{
		Use:   "result <workflow-id>",
		Short: "Wait for a run and print its result",
		Long: `Wait for a run (the latest run of the workflow id unless --run-id) and print
its result on stdout: formatted by the example named by --workflow or, by
default, by the example whose name followed by "-" starts the workflow id
("etl-1a2b3c4d" → etl); else the raw JSON value; --json prints it as JSON.
A failed run is an error. While it waits, progress goes to stderr (--quiet:
none).`,
		Example: `  starter result etl-1a2b3c4d
  starter result my-run --workflow etl
  starter result my-run --workflow ""     # raw JSON`,
		Args: oneArg("workflow id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			workflowID := args[0]
			var ex *examples.Example
			if cmd.Flags().Changed("workflow") {
				if workflow != "" {
					e, err := lookupExample(workflow)
					if err != nil {
						return err
					}
					ex = &e
				}
			} else if e, ok := exampleForID(workflowID); ok {
				ex = &e
			}
			c, ro, err := a.connect(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx := cmd.Context()
			if !of.quiet {
				defer showProgress(ctx, cmd.ErrOrStderr(), c, ro.DataConverter, workflowID, runID)()
			}
			res, err := temporal.NewRunner(c, ro).Result(ctx, workflowID, runID)
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("interrupted while waiting for %s", workflowID)
				}
				return err
			}
			return of.print(cmd.OutOrStdout(), ex, res, !cmd.Flags().Changed("workflow"))
		},
	}
	of.add(cmd)
	fs := cmd.Flags()
	fs.StringVar(&runID, "run-id", "", "run id (default: the latest run)")
	fs.StringVar(&workflow, "workflow", "", `example whose format to print the result with ("" = raw JSON; default: guessed from the workflow id)`)
	return cmd
}
