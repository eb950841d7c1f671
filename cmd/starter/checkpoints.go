package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// newCheckpointsCmd builds `starter checkpoints`: a run's checkpoints, one
// per line: id<TAB>task<TAB>run<TAB>event<TAB>metadata.
func newCheckpointsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "checkpoints <workflow-id>",
		Short: "List the checkpoints of a run",
		Long: `List the checkpoints a run's tasks took with TaskContext.Checkpoint, oldest
first, across the runs of a continue-as-new chain: id, task, the run that
took it, the history event a resume resets to, and the metadata.`,
		Example: `  starter checkpoints fault-tolerant-1`,
		Args:    oneArg("workflow id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, closeFn, err := a.checkpointManager(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			cps, err := m.List(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			for _, cp := range cps {
				meta, _ := json.Marshal(cp.Metadata) // decoded from JSON, so it encodes
				if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\t%d\t%s\n", cp.ID, cp.TaskID, cp.RunID, cp.EventID, meta); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// newResumeCmd builds `starter resume`: reset a run to a checkpoint and
// print the new run id.
func newResumeCmd(a *app) *cobra.Command {
	var checkpoint string
	var terminate bool
	cmd := &cobra.Command{
		Use:   "resume <workflow-id>",
		Short: "Resume a run from a checkpoint (the latest by default)",
		Long: `Resume a run from one of its checkpoints (the latest unless --checkpoint):
Temporal resets the run to it, the tasks before it are not executed again,
and the rest runs with the workers' current code. Feedback answers given
after the checkpoint are kept. A run still running is refused unless
--terminate-running; completed, failed or terminated runs are resumed.
Prints "workflow-id<TAB>new-run-id"; wait for it with "starter result".`,
		Example: `  starter resume fault-tolerant-1
  starter resume fault-tolerant-1 --checkpoint step_2-1`,
		Args: oneArg("workflow id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, closeFn, err := a.checkpointManager(cmd)
			if err != nil {
				return err
			}
			defer closeFn()
			var opts []temporal.ResumeOption
			if terminate {
				opts = append(opts, temporal.TerminateRunning())
			}
			var h *graflow.Handle
			if checkpoint == "" {
				h, err = m.ResumeFromLatest(cmd.Context(), args[0], opts...)
			} else {
				h, err = m.ResumeFromCheckpoint(cmd.Context(), args[0], checkpoint, opts...)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", h.WorkflowID, h.RunID)
			return err
		},
	}
	cmd.Flags().StringVar(&checkpoint, "checkpoint", "", "checkpoint id (see starter checkpoints)")
	cmd.Flags().BoolVar(&terminate, "terminate-running", false, "resume a run still running (it is terminated)")
	return cmd
}

// checkpointManager dials the configured server.
func (a *app) checkpointManager(cmd *cobra.Command) (*temporal.CheckpointManager, func(), error) {
	c, ro, err := a.connect(cmd)
	if err != nil {
		return nil, nil, err
	}
	return temporal.NewCheckpointManager(c, ro), c.Close, nil
}
