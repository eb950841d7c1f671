package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/temporal"
)

// newStartCmd builds `starter start`: start a run and print
// workflow-id<TAB>run-id without waiting.
func newStartCmd(a *app) *cobra.Command {
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "start <workflow>",
		Short: "Start a workflow without waiting; print workflow-id<TAB>run-id",
		Long: `Start a workflow (see "starter list") on the configured Temporal server and
print "workflow-id<TAB>run-id" on stdout without waiting for it. Wait for the
result with "starter result <workflow-id>".`,
		Example: `  starter start etl
  starter start initial_channel --workflow-id greet-1 --input name=Bob
  id=$(starter start etl | cut -f1) && starter result "$id"`,
		Args: oneArg("workflow name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, wf, opts, err := rf.prepare(args[0])
			if err != nil {
				return err
			}
			c, ro, err := a.connect(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx := cmd.Context()
			runner := temporal.NewRunner(c, ro)
			h, err := wf.Start(ctx, runner, opts...)
			if err != nil {
				return err
			}
			if ui := a.uiURL(); ui != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "view it at %s\n", runURL(ui, ro.Namespace, h.WorkflowID, h.RunID))
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", h.WorkflowID, h.RunID)
			return err
		},
	}
	rf.add(cmd)
	return cmd
}
