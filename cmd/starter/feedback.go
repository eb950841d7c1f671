package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
)

// newFeedbackCmd builds `starter feedback`: list and answer the feedback
// requests of runs (human in the loop).
func newFeedbackCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feedback",
		Short: "List and answer the feedback requests of runs (human in the loop)",
		Long: `List the runs waiting for a person and answer their feedback requests.

A task that calls RequestFeedback suspends; its run waits (with the search
attribute GraflowAwaitingFeedback = true) until it gets an answer, then runs
the task again with it. Answers go through the run's validated Update
"graflow.feedback": an unknown or already answered request, a choice not
among the options or a responder not among the approvers is refused with
the reason, and nothing is applied. Answering needs a worker to be running;
without one the command waits (Ctrl-C to give up), unless --signal sends
the answer as an unvalidated Signal instead.`,
		Example: `  starter feedback list
  starter feedback list --workflow-id deploy-1
  starter feedback approve deploy-1 deploy_approval --by alice
  starter feedback reject deploy-1 deploy_approval --reason "not on a Friday"
  starter feedback text config-1 config_input "max_workers=8"
  starter feedback select model-1 model_selection claude-3-5-sonnet
  starter feedback custom run-1 settings '{"replicas": 3}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newFeedbackListCmd(a))
	cmd.AddCommand(
		answerCommand(a, "approve <workflow-id> <request-id>", "Approve an approval request", 2, func(id string, _ []string) (signals.Answer, error) {
			return signals.Approve(id), nil
		}),
		answerCommand(a, "reject <workflow-id> <request-id>", "Reject an approval request", 2, func(id string, _ []string) (signals.Answer, error) {
			return signals.Reject(id, ""), nil
		}),
		answerCommand(a, "text <workflow-id> <request-id> <value>", "Answer a text request", 3, func(id string, rest []string) (signals.Answer, error) {
			return signals.Text(id, rest[0]), nil
		}),
		answerCommand(a, "select <workflow-id> <request-id> <value>...", "Answer a selection (one value) or multi-selection request", -3, func(id string, rest []string) (signals.Answer, error) {
			return signals.Select(id, rest...), nil
		}),
		answerCommand(a, "custom <workflow-id> <request-id> <json-object>", "Answer a custom request with a JSON object", 3, func(id string, rest []string) (signals.Answer, error) {
			var data map[string]any
			if err := json.Unmarshal([]byte(rest[0]), &data); err != nil || data == nil {
				return signals.Answer{}, fmt.Errorf("the answer of a custom request must be a JSON object, got %s", rest[0])
			}
			return signals.Custom(id, data), nil
		}),
	)
	return cmd
}

// answerCommand builds one answering verb. nargs is the exact number of
// positional arguments, or minus the minimum.
func answerCommand(a *app, use, short string, nargs int, build func(requestID string, rest []string) (signals.Answer, error)) *cobra.Command {
	var reason, by string
	var signal bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(cmd *cobra.Command, args []string) error {
			if nargs >= 0 && len(args) != nargs || nargs < 0 && len(args) < -nargs {
				return fmt.Errorf("want %s (see %s --help)", strings.SplitN(use, " ", 2)[1], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			workflowID, requestID := args[0], args[1]
			answer, err := build(requestID, args[2:])
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("reason") {
				answer.Reason = reason
			}
			answer.RespondedBy = by
			c, err := a.dial(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			fc := signals.NewClient(c)
			out := cmd.OutOrStdout()
			if signal {
				if err := fc.Signal(cmd.Context(), workflowID, answer); err != nil {
					return err
				}
				_, err := fmt.Fprintf(out, "signaled %s to %s (unvalidated: see starter feedback list --workflow-id %s)\n", requestID, workflowID, workflowID)
				return err
			}
			resp, err := fc.Answer(cmd.Context(), workflowID, answer)
			if err != nil {
				if cmd.Context().Err() != nil {
					return fmt.Errorf("interrupted before %s took the answer (is a worker running?)", workflowID)
				}
				return err
			}
			_, err = fmt.Fprintf(out, "answered %s of %s: %s\n", requestID, workflowID, describeResponse(resp))
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&reason, "reason", "", "why (sent with the answer)")
	fs.StringVar(&by, "by", "", "who answers (required by requests with approvers)")
	fs.BoolVar(&signal, "signal", false, "send by Signal: no validation, no worker needed (a bad answer is only recorded)")
	return cmd
}

// describeResponse renders an applied answer on one line.
func describeResponse(r graflow.FeedbackResponse) string {
	var parts []string
	switch {
	case r.Data != nil:
		raw, _ := json.Marshal(r.Data)
		parts = append(parts, string(raw))
	case r.Values != nil:
		parts = append(parts, fmt.Sprintf("%q", r.Values))
	case r.Value != "":
		parts = append(parts, fmt.Sprintf("%q", r.Value))
	case r.Approved:
		parts = append(parts, "approved")
	default:
		parts = append(parts, "rejected")
	}
	if r.Reason != "" {
		parts = append(parts, fmt.Sprintf("(reason: %s)", r.Reason))
	}
	if r.RespondedBy != "" {
		parts = append(parts, "by "+r.RespondedBy)
	}
	return strings.Join(parts, " ")
}

// dial connects to the configured server.
func (a *app) dial(cmd *cobra.Command) (client.Client, error) {
	c, _, err := a.connect(cmd)
	return c, err
}

// listedRequest is one line of `feedback list --json`.
type listedRequest struct {
	WorkflowID string `json:"workflow_id"`
	signals.Pending
}

func newFeedbackListCmd(a *app) *cobra.Command {
	var workflowID string
	var asJSON bool
	var queryTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the open feedback requests",
		Long: `List the open feedback requests of one run (--workflow-id) or of every
running run whose search attribute GraflowAwaitingFeedback is true
(dynamic children included: answer them by their own workflow ids).
Visibility lags by a moment after a run starts waiting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.dial(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			fc := signals.NewClient(c)
			ctx := cmd.Context()
			ids := []string{workflowID}
			if workflowID == "" {
				runs, err := fc.ListAwaiting(ctx)
				if err != nil {
					return err
				}
				ids = ids[:0]
				for _, r := range runs {
					ids = append(ids, r.WorkflowID)
				}
			}
			var rows []listedRequest
			var failed []error
			for _, id := range ids {
				qctx, cancel := context.WithTimeout(ctx, queryTimeout)
				pending, err := fc.Pending(qctx, id)
				cancel()
				if err != nil {
					if workflowID != "" {
						return err
					}
					failed = append(failed, err)
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %v (is a worker polling its task queue?)\n", err)
					continue
				}
				for _, p := range pending {
					rows = append(rows, listedRequest{WorkflowID: id, Pending: p})
				}
			}
			if len(failed) > 0 && len(failed) == len(ids) {
				return errors.Join(failed...)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if rows == nil {
					rows = []listedRequest{}
				}
				return writeJSON(out, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no open feedback requests")
				return nil
			}
			return printRequests(out, rows, time.Now())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&workflowID, "workflow-id", "", "list the requests of this run only")
	fs.DurationVar(&queryTimeout, "query-timeout", 10*time.Second, "how long to wait for each run's answer (a run whose workers are down answers no query)")
	fs.BoolVar(&asJSON, "json", false, "print a JSON list (fields of the graflow.pending_feedback query, plus workflow_id)")
	return cmd
}

// printRequests writes one table row per request, then the rejected
// (signaled) answers of each.
func printRequests(w io.Writer, rows []listedRequest, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tREQUEST ID\tTYPE\tDEADLINE\tMESSAGE")
	for _, r := range rows {
		deadline := "none"
		switch {
		case r.TimedOut:
			deadline = "timed out (waiting)"
		case r.Deadline != nil:
			deadline = r.Deadline.UTC().Format(time.RFC3339)
			if left := r.Deadline.Sub(now); left > 0 {
				deadline += fmt.Sprintf(" (in %s)", left.Round(time.Second))
			}
		}
		msg := r.Message
		if len(r.Options) > 0 {
			msg += " [" + strings.Join(r.Options, " | ") + "]"
		}
		if len(r.Approvers) > 0 {
			msg += " (approvers: " + strings.Join(r.Approvers, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.RequestID, r.Type, deadline, msg)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		for _, rej := range r.Rejected {
			if _, err := fmt.Fprintf(w, "%s %s: rejected signal %s: %s\n", r.WorkflowID, r.RequestID, rej.Answer, rej.Reason); err != nil {
				return err
			}
		}
	}
	return nil
}
