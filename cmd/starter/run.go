package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// newRunCmd builds `starter run`: run an example, wait, print its result.
func newRunCmd(a *app) *cobra.Command {
	var (
		rf     runFlags
		of     outputFlags
		dev    bool
		uiPort int
		dbFile string
	)
	cmd := &cobra.Command{
		Use:   "run <workflow>",
		Short: "Run a workflow and print its result",
		Long: `Run a workflow (see "starter list"), wait for it and print its formatted
result on stdout (--json: as JSON). Progress goes to stderr: on a terminal
one line updated in place (tasks done/total, running tasks, failures,
elapsed), otherwise one line per task that starts or ends; --quiet turns it
off. Progress is read from the run's history and adds nothing to it.

Without --dev the run goes to the configured Temporal server, where a worker
("go run ./cmd/worker") must poll the task queue. With --dev the command
starts an embedded Temporal server (in memory, or in --db-file) and an
in-process worker, runs, and stops both.`,
		Example: `  starter run etl --dev
  starter run initial_channel --dev --input name=Bob --input count=3
  starter run etl --workflow-id etl-1 --address 127.0.0.1:7233`,
		Args:    oneArg("workflow name"),
		PreRunE: func(cmd *cobra.Command, _ []string) error { return checkDevFlags(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			ex, wf, opts, err := rf.prepare(args[0])
			if err != nil {
				return err
			}
			cfg, logger, err := a.settings(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			stderr := cmd.ErrOrStderr()

			var (
				c  client.Client
				ro temporal.RunnerOptions
			)
			ui := a.uiURL()
			if dev {
				dc, fc, err := devConverters(cfg)
				if err != nil {
					return err
				}
				l, err := startLocal(ctx, devserver.Options{
					DBFile:           dbFile,
					UIPort:           uiPort,
					Namespace:        cfg.Namespace,
					Logger:           logger,
					DataConverter:    dc,
					FailureConverter: fc,
				}, localWorker{taskQueue: cfg.TaskQueue}, logger)
				if err != nil {
					return err
				}
				defer l.stop(logger)
				c = l.srv.Client()
				ro = temporal.RunnerOptions{TaskQueue: cfg.TaskQueue, Namespace: cfg.Namespace, DataConverter: dc}
				if l.srv.UIAddress() != "" {
					ui = l.srv.UIAddress()
				}
				fmt.Fprintf(stderr, "dev server at %s with an in-process worker on task queue %s\n",
					l.srv.FrontendAddress(), cfg.TaskQueue)
			} else {
				if c, ro, err = a.connect(cmd); err != nil {
					return err
				}
				defer c.Close()
			}

			runner := temporal.NewRunner(c, ro)
			h, err := wf.Start(ctx, runner, opts...)
			if err != nil {
				return err
			}
			printStarted(stderr, ui, cfg.Namespace, h.WorkflowID, h.RunID)
			if !of.quiet {
				defer showProgress(ctx, stderr, c, ro.DataConverter, h.WorkflowID, h.RunID)()
			}
			res, err := h.Result(ctx)
			if err != nil {
				if ctx.Err() != nil {
					if dev {
						return errors.New("interrupted; the run stopped with the dev server")
					}
					return fmt.Errorf("interrupted; the run goes on, wait for it with: starter result %s", h.WorkflowID)
				}
				return err
			}
			return of.print(cmd.OutOrStdout(), &ex, res, false)
		},
	}
	rf.add(cmd)
	of.add(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&dev, "dev", false, "start an embedded Temporal server and worker for this run")
	fs.IntVar(&uiPort, "ui-port", -1, "with --dev: Web UI port (0 = free port, -1 = no UI)")
	fs.StringVar(&dbFile, "db-file", "", "with --dev: SQLite file of the server (default: in memory)")
	return cmd
}

// checkDevFlags rejects dev-only flags given without --dev.
func checkDevFlags(cmd *cobra.Command) error {
	dev, _ := cmd.Flags().GetBool("dev")
	if dev {
		return nil
	}
	for _, name := range []string{"ui-port", "db-file"} {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s needs --dev", name)
		}
	}
	return nil
}
