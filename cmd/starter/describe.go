package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/runview"
)

// maxChildRowsShown bounds the child runs listed per dynamic group in text
// output (--json lists them all).
const maxChildRowsShown = 10

// newDescribeCmd builds `starter describe`: what a run did so far.
func newDescribeCmd(a *app) *cobra.Command {
	var (
		runID  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "describe <workflow-id>",
		Short: "Show a run's status, tasks, groups, channel, feedback requests and checkpoints",
		Long: `Show what a run (the latest run of the workflow id unless --run-id) did so
far: its status and flow expression; a table of its tasks (state: done,
running, retrying, waiting for feedback, failed, not reached; runs, attempts,
duration, worker); its dynamic groups and their child runs; its channel keys
and value sizes; its pending feedback requests; its checkpoints.

Everything but the feedback requests is read from the run's history, so a
finished run and a run no worker polls are described alike.`,
		Example: `  starter describe etl-1a2b3c4d
  starter describe etl-1a2b3c4d --json | jq '.tasks[] | select(.state=="failed")'`,
		Args: oneArg("workflow id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, ro, err := a.connect(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			run, err := runview.Load(cmd.Context(), c, args[0], runID, ro.DataConverter)
			if err != nil {
				return err
			}
			if asJSON {
				b, err := json.MarshalIndent(run, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), string(b))
				return err
			}
			return writeDescription(cmd.OutOrStdout(), run, time.Now())
		},
	}
	cmd.Flags().StringVar(&runID, "run-id", "", "run id (default: the latest run)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the description as JSON")
	return cmd
}

// writeDescription writes run as text sections: the run, its tasks, dynamic
// groups, channel, feedback requests and checkpoints (empty ones left out).
func writeDescription(out io.Writer, run *runview.Run, now time.Time) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Workflow\t%s\n", run.WorkflowID)
	fmt.Fprintf(w, "Run\t%s\n", run.RunID)
	fmt.Fprintf(w, "Type\t%s (task queue %s)\n", run.Type, run.TaskQueue)
	took := now.Sub(run.Start)
	if run.Close != nil {
		took = run.Close.Sub(run.Start)
	}
	fmt.Fprintf(w, "Status\t%s, started %s, %s %s\n", run.Status, run.Start.UTC().Format(time.DateTime+" UTC"),
		map[bool]string{true: "took", false: "running for"}[run.Close != nil], roundDuration(took))
	if run.Build != "" {
		fmt.Fprintf(w, "Build\t%s\n", run.Build)
	}
	if run.Flow != "" {
		fmt.Fprintf(w, "Flow\t%s\n", run.Flow)
	}
	if run.Group != "" {
		fmt.Fprintf(w, "Child of group\t%s (branches %s)\n", run.Group, strings.Join(run.Members, ", "))
	}
	if run.Failure != "" {
		fmt.Fprintf(w, "Failure\t%s\n", firstLine(run.Failure))
	}
	if run.ContinuedAs != "" {
		fmt.Fprintf(w, "Continued as\t%s\n", run.ContinuedAs)
	}
	fmt.Fprintf(w, "Tasks\t%s\n", countsLine(run))

	fmt.Fprintf(w, "\nTASK\tNAME\tSTATE\tRUNS\tATTEMPTS\tDURATION\tWORKER\tERROR\n")
	for _, t := range run.Tasks {
		state := string(t.State)
		if t.State == flowgraph.NotReached {
			state = "not reached"
		}
		worker := t.Worker
		switch {
		case t.Local:
			worker = "(local, in the workflow's worker)"
		case t.Child != "":
			worker = "(in child run " + t.Child + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, state, dash(t.Runs), dash(t.Attempts), durationCell(t.Duration), worker,
			abbreviate(firstLine(t.Error), 80))
	}
	for _, g := range run.Groups {
		counts := map[string]int{}
		failed := 0
		for _, ch := range g.Children {
			counts[ch.Status]++
			failed += ch.Failed
		}
		fmt.Fprintf(w, "\nDYNAMIC GROUP %s\t%d branches, policy %s, %d child runs: %s; %d branches failed\n",
			g.ID, g.Branches, g.Policy, len(g.Children), statusCounts(counts), failed)
		fmt.Fprintf(w, "CHILD RUN\tSTATUS\tBRANCHES\n")
		for i, ch := range g.Children {
			if i == maxChildRowsShown {
				fmt.Fprintf(w, "… %d more (--json lists them all)\t\t\n", len(g.Children)-i)
				break
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", ch.WorkflowID, ch.Status, abbreviate(strings.Join(ch.Members, ", "), 60))
		}
	}
	if len(run.Channel) > 0 {
		fmt.Fprintf(w, "\nCHANNEL KEY\tBYTES\n")
		for _, k := range run.Channel {
			fmt.Fprintf(w, "%s\t%d\n", k.Name, k.Bytes)
		}
	}
	if len(run.Feedback) > 0 || run.FeedbackUnknown {
		fmt.Fprintf(w, "\nFEEDBACK REQUEST\tTYPE\tTASK\tMESSAGE\tDEADLINE\n")
		if run.FeedbackUnknown {
			fmt.Fprintf(w, "(no worker answered; start one to list the requests)\t\t\t\t\n")
		}
		for _, p := range run.Feedback {
			deadline := "none"
			if p.Deadline != nil {
				deadline = p.Deadline.UTC().Format(time.DateTime + " UTC")
			}
			if p.TimedOut {
				deadline += " (passed)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.RequestID, p.Type, p.TaskID, abbreviate(p.Message, 60), deadline)
		}
	}
	if len(run.Checkpoints) > 0 {
		fmt.Fprintf(w, "\nCHECKPOINT\tTASK\tRUN\tEVENT\n")
		for _, cp := range run.Checkpoints {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", cp.ID, cp.TaskID, cp.RunID, cp.EventID)
		}
	}
	return w.Flush()
}

// countsLine is "5 total: 3 done, 1 running, 1 not reached".
func countsLine(run *runview.Run) string {
	counts := run.Counts()
	var parts []string
	for _, s := range []flowgraph.State{flowgraph.Done, flowgraph.Running, flowgraph.Scheduled, flowgraph.Retrying,
		flowgraph.Waiting, flowgraph.Failed, flowgraph.Canceled, flowgraph.NotReached} {
		if n := counts[s]; n > 0 {
			name := string(s)
			if s == flowgraph.NotReached {
				name = "not reached"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	return fmt.Sprintf("%d total: %s", len(run.Tasks), strings.Join(parts, ", "))
}

func statusCounts(counts map[string]int) string {
	var parts []string
	for _, s := range []string{"Completed", "Running", "Starting", "Failed", "Canceled", "Terminated", "TimedOut"} {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(s)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func dash(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func durationCell(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return roundDuration(d).String()
}

func abbreviate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
