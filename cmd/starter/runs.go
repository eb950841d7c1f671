package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/graflow-go/graflow/internal/runview"
	"github.com/graflow-go/graflow/signals"
)

// newRunsCmd builds `starter runs`: recent runs from the server's visibility.
func newRunsCmd(a *app) *cobra.Command {
	var (
		running, failed, awaiting, children, asJSON bool
		workflow                                    string
		limit                                       int
	)
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List recent runs, newest first",
		Long: `List recent runs from the server's visibility store, newest first, one line
each: workflow id, type, status, start time, duration, and the Web UI link
when --ui-url is set. Child runs of dynamic groups are left out unless
--children.`,
		Example: `  starter runs
  starter runs --running --workflow create_workers
  starter runs --awaiting-feedback --ui-url http://127.0.0.1:8233
  starter runs --failed --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var conds []string
			switch {
			case running && failed:
				return fmt.Errorf("--running and --failed exclude each other")
			case running:
				conds = append(conds, `ExecutionStatus = "Running"`)
			case failed:
				conds = append(conds, `ExecutionStatus = "Failed"`)
			}
			if awaiting {
				conds = append(conds, signals.AwaitingAttribute+" = true")
			}
			if workflow != "" {
				conds = append(conds, fmt.Sprintf("WorkflowType = %q", workflow))
			}
			if limit <= 0 {
				return fmt.Errorf("--limit must be positive, got %d", limit)
			}
			cfg, _, err := a.settings(cmd)
			if err != nil {
				return err
			}
			c, _, err := a.connect(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var rows []runRow
			var token []byte
			for len(rows) < limit {
				res, err := c.ListWorkflow(cmd.Context(), &workflowservice.ListWorkflowExecutionsRequest{
					Namespace: cfg.Namespace, Query: strings.Join(conds, " AND "), PageSize: int32(min(limit, 1000)), NextPageToken: token,
				})
				if err != nil {
					return fmt.Errorf("listing runs: %w", err)
				}
				for _, e := range res.GetExecutions() {
					if e.GetParentExecution() != nil && !children {
						continue
					}
					r := runRow{WorkflowID: e.GetExecution().GetWorkflowId(), RunID: e.GetExecution().GetRunId(),
						Type: e.GetType().GetName(), Status: runview.StatusName(e.GetStatus()), Start: e.GetStartTime().AsTime(), Build: runview.Build(e)}
					if e.GetCloseTime() != nil {
						d := e.GetCloseTime().AsTime().Sub(r.Start)
						r.Duration = &d
					}
					if ui := a.uiURL(); ui != "" {
						r.URL = runURL(ui, cfg.Namespace, r.WorkflowID, r.RunID)
					}
					if len(rows) < limit {
						rows = append(rows, r)
					}
				}
				if token = res.GetNextPageToken(); len(token) == 0 {
					break
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				b, err := json.MarshalIndent(rows, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, string(b))
				return err
			}
			w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, r := range rows {
				took := "running for " + roundDuration(time.Since(r.Start)).String()
				if r.Duration != nil {
					took = roundDuration(*r.Duration).String()
				}
				if r.Build != "" {
					took += " on " + r.Build
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.Type, r.Status, r.Start.UTC().Format(time.DateTime), took, r.URL)
			}
			return w.Flush()
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&running, "running", false, "only runs still running")
	fs.BoolVar(&failed, "failed", false, "only failed runs")
	fs.BoolVar(&awaiting, "awaiting-feedback", false, "only runs waiting for a person (see starter feedback)")
	fs.StringVar(&workflow, "workflow", "", "only runs of this workflow type")
	fs.BoolVar(&children, "children", false, "include the child runs of dynamic groups")
	fs.IntVar(&limit, "limit", 20, "list at most this many runs")
	fs.BoolVar(&asJSON, "json", false, "print the runs as JSON")
	return cmd
}

// runRow is one line of `starter runs`.
type runRow struct {
	WorkflowID string         `json:"workflow_id"`
	RunID      string         `json:"run_id"`
	Type       string         `json:"workflow_type"`
	Status     string         `json:"status"`
	Start      time.Time      `json:"start_time"`
	Duration   *time.Duration `json:"duration_ns,omitempty"`
	Build      string         `json:"build,omitempty"`
	URL        string         `json:"url,omitempty"`
}
