package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/temporal"
)

// workflowName is what a graflow workflow (and so a workflow type) may be called.
var workflowName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// newScheduleCmd builds `starter schedule`: Temporal Schedules that start a
// graflow workflow by name, so that each run uses the worker's current
// definition.
func newScheduleCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run a workflow on a schedule (Temporal Schedules)",
		Long: `Manage Temporal Schedules that start a graflow workflow by name. Each
scheduled run is a start of workflow type <workflow> on the task queue, with
the input {"channel": {...}, "start": "..."}: the worker compiles its current
definition of the workflow when the run starts.`,
		Example: `  starter schedule create etl --schedule-id etl-hourly --every 1h
  starter schedule create initial_channel --schedule-id greet --cron "0 9 * * MON-FRI" --input name=Bob
  starter schedule trigger etl-hourly
  starter schedule list`,
	}
	cmd.AddCommand(newScheduleCreateCmd(a), newScheduleListCmd(a), newScheduleDescribeCmd(a),
		scheduleVerb(a, "trigger", "Start a run of the schedule now", func(cmd *cobra.Command, h client.ScheduleHandle) (string, error) {
			return "triggered", h.Trigger(cmd.Context(), client.ScheduleTriggerOptions{})
		}),
		scheduleVerb(a, "pause", "Pause the schedule", func(cmd *cobra.Command, h client.ScheduleHandle) (string, error) {
			return "paused", h.Pause(cmd.Context(), client.SchedulePauseOptions{Note: "paused with starter"})
		}),
		scheduleVerb(a, "unpause", "Unpause the schedule", func(cmd *cobra.Command, h client.ScheduleHandle) (string, error) {
			return "unpaused", h.Unpause(cmd.Context(), client.ScheduleUnpauseOptions{Note: "unpaused with starter"})
		}),
		scheduleVerb(a, "delete", "Delete the schedule (its past runs stay)", func(cmd *cobra.Command, h client.ScheduleHandle) (string, error) {
			return "deleted", h.Delete(cmd.Context())
		}),
	)
	return cmd
}

func newScheduleCreateCmd(a *app) *cobra.Command {
	var (
		id, cron, start string
		every           time.Duration
		inputs          []string
		paused          bool
	)
	cmd := &cobra.Command{
		Use:   "create <workflow> --schedule-id <id> (--cron <expr> | --every <duration>)",
		Short: "Create a schedule that starts <workflow> by name",
		Args:  oneArg("workflow name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			switch {
			case !workflowName.MatchString(name):
				return fmt.Errorf("invalid workflow name %q: want letters, digits, _ or -", name)
			case strings.TrimSpace(id) == "":
				return errors.New("--schedule-id is required")
			case (cron == "") == (every <= 0):
				return errors.New("give exactly one of --cron and --every (a positive duration)")
			}
			input, err := scheduleInput(name, start, inputs)
			if err != nil {
				return err
			}
			spec := client.ScheduleSpec{}
			if cron != "" {
				spec.CronExpressions = []string{cron}
			} else {
				spec.Intervals = []client.ScheduleIntervalSpec{{Every: every}}
			}
			return a.withSchedules(cmd, func(sc client.ScheduleClient, taskQueue string) error {
				action := &client.ScheduleWorkflowAction{ID: id, Workflow: name, TaskQueue: taskQueue, Args: []any{input}}
				if wf, err := workflowByName(name); err == nil {
					// Runs of a known workflow show its flow and graph in the Web UI.
					action.StaticSummary = temporal.RunSummary(wf)
					if action.StaticDetails, err = temporal.RunDetails(wf); err != nil {
						return err
					}
				}
				_, err := sc.Create(cmd.Context(), client.ScheduleOptions{ID: id, Spec: spec, Paused: paused, Action: action})
				if err != nil {
					return fmt.Errorf("creating schedule %q: %w", id, err)
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "created schedule %s: %s on task queue %s\n", id, name, taskQueue)
				return err
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&id, "schedule-id", "", "id of the schedule (also the prefix of its runs' workflow ids)")
	fs.StringVar(&cron, "cron", "", `cron expression, e.g. "0 * * * *"`)
	fs.DurationVar(&every, "every", 0, "interval between runs, e.g. 1h")
	fs.StringArrayVarP(&inputs, "input", "i", nil, "initial channel value `key=value` (repeatable; value as JSON if it parses, else a string)")
	fs.StringVar(&start, "start", "", "node the runs start at (default: the single root)")
	fs.BoolVar(&paused, "paused", false, "create the schedule paused")
	return cmd
}

// scheduleInput is the start input of a scheduled run: an example's
// initial channel with --input merged over it, and the start node.
func scheduleInput(name, start string, pairs []string) (map[string]any, error) {
	inputs, err := parseInputs(pairs)
	if err != nil {
		return nil, err
	}
	ex, _ := examples.Get(name)
	in := map[string]any{"channel": initialChannel(ex, inputs)}
	if start != "" {
		in["start"] = start
	}
	return in, nil
}

// withSchedules dials the configured server and calls f with its schedule
// client and the configured task queue.
func (a *app) withSchedules(cmd *cobra.Command, f func(sc client.ScheduleClient, taskQueue string) error) error {
	c, ro, err := a.connect(cmd)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c.ScheduleClient(), ro.TaskQueue)
}

// scheduleVerb is a verb on one schedule that prints "<done> schedule <id>".
func scheduleVerb(a *app, verb, short string, do func(*cobra.Command, client.ScheduleHandle) (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " <schedule-id>",
		Short: short,
		Args:  oneArg("schedule id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withSchedules(cmd, func(sc client.ScheduleClient, _ string) error {
				done, err := do(cmd, sc.GetHandle(cmd.Context(), args[0]))
				if err != nil {
					return fmt.Errorf("schedule %q: %w", args[0], err)
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s schedule %s\n", done, args[0])
				return err
			})
		},
	}
}

// scheduleInfo is one schedule as list and describe print it.
type scheduleInfo struct {
	ID         string    `json:"schedule_id"`
	Workflow   string    `json:"workflow"`
	Spec       string    `json:"spec"`
	Paused     bool      `json:"paused"`
	NextRuns   []string  `json:"next_runs,omitempty"`
	RecentRuns []string  `json:"recent_runs,omitempty"`
	Created    time.Time `json:"created,omitzero"`
}

// timesText renders times in UTC, RFC 3339.
func timesText(times []time.Time) []string {
	var out []string
	for _, t := range times {
		out = append(out, t.UTC().Format(time.RFC3339))
	}
	return out
}

func specText(s *client.ScheduleSpec) string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, c := range s.CronExpressions {
		parts = append(parts, "cron "+c)
	}
	for _, c := range s.Calendars {
		parts = append(parts, fmt.Sprintf("calendar %v", c))
	}
	for _, i := range s.Intervals {
		parts = append(parts, "every "+i.Every.String())
	}
	return strings.Join(parts, "; ")
}

func newScheduleListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the schedules",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list []scheduleInfo
			err := a.withSchedules(cmd, func(sc client.ScheduleClient, _ string) error {
				it, err := sc.List(cmd.Context(), client.ScheduleListOptions{})
				if err != nil {
					return err
				}
				for it.HasNext() {
					e, err := it.Next()
					if err != nil {
						return err
					}
					list = append(list, scheduleInfo{ID: e.ID, Workflow: e.WorkflowType.Name, Spec: specText(e.Spec), Paused: e.Paused, NextRuns: timesText(e.NextActionTimes)})
				}
				return nil
			})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), list)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SCHEDULE\tWORKFLOW\tSPEC\tSTATE\tNEXT RUN")
			for _, s := range list {
				next := ""
				if len(s.NextRuns) > 0 {
					next = s.NextRuns[0]
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, s.Workflow, s.Spec, state(s.Paused), next)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON list")
	return cmd
}

func newScheduleDescribeCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "describe <schedule-id>",
		Short: "Show a schedule: workflow, spec, state, next and recent runs",
		Args:  oneArg("schedule id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var d *client.ScheduleDescription
			err := a.withSchedules(cmd, func(sc client.ScheduleClient, _ string) (err error) {
				if d, err = sc.GetHandle(cmd.Context(), args[0]).Describe(cmd.Context()); err != nil {
					return fmt.Errorf("schedule %q: %w", args[0], err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			info := scheduleInfo{ID: args[0], Spec: specText(d.Schedule.Spec), Created: d.Info.CreatedAt, NextRuns: timesText(d.Info.NextActionTimes)}
			if act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok {
				info.Workflow = fmt.Sprint(act.Workflow)
			}
			if d.Schedule.State != nil {
				info.Paused = d.Schedule.State.Paused
			}
			for _, r := range d.Info.RecentActions {
				if r.StartWorkflowResult != nil {
					info.RecentRuns = append(info.RecentRuns, r.StartWorkflowResult.WorkflowID)
				}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), info)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "schedule:    %s\nworkflow:    %s\nspec:        %s\nstate:       %s\n", info.ID, info.Workflow, info.Spec, state(info.Paused))
			fmt.Fprintf(w, "next runs:   %s\nrecent runs: %s\n", strings.Join(info.NextRuns, ", "), strings.Join(info.RecentRuns, ", "))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func state(paused bool) string {
	if paused {
		return "paused"
	}
	return "active"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
