package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/internal/telemetry"
	"github.com/graflow-go/graflow/temporal"
)

// keyUIURL is the starter's own setting: the base URL of the Temporal Web
// UI, used to print a link to each run.
const keyUIURL = "ui-url"

// Command groups of the help text.
const (
	groupRuns   = "runs"
	groupServer = "server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills the process.
		<-ctx.Done()
		stop()
	}()
	a := newApp()
	err := a.rootCmd().ExecuteContext(ctx)
	stop()
	a.shutdownTelemetry()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// app is the state shared by the subcommands: the settings, and the
// tracing of the clients connect dials.
type app struct {
	v   *viper.Viper
	tel *telemetry.Telemetry
}

func newApp() *app { return &app{v: viper.New()} }

// newRootCmd builds the starter command tree. Errors are returned, not
// printed.
func newRootCmd() *cobra.Command { return newApp().rootCmd() }

// rootCmd builds the starter command tree on a.
func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "starter",
		Short: "Run graflow workflows on Temporal",
		Long: `starter runs graflow workflows (the examples) on Temporal, waits for their
results, and runs a local Temporal server with its Web UI for development.

Settings come from flags, then environment variables (GRAFLOW_*, plus
TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY), then the config
file (./graflow.yaml or --config), then defaults. Results are printed on
stdout, progress and logs on stderr.`,
		Example: `  starter list
  starter run etl --dev                              # one-off: embedded server + worker
  starter dev                                        # local server, Web UI and worker; then:
  starter run initial_channel --input name=Bob       # run on the configured server
  starter start etl --workflow-id etl-1 && starter result etl-1
  starter schedule create etl --schedule-id etl-hourly --every 1h`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return cli.ReadConfig(a.v)
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	root.AddGroup(
		&cobra.Group{ID: groupRuns, Title: "Workflow runs:"},
		&cobra.Group{ID: groupServer, Title: "Local server:"},
	)
	root.PersistentFlags().String(keyUIURL, "", "base URL of the Temporal Web UI, to print links to runs")

	err := cli.AddFlags(root, a.v)
	if err == nil {
		err = cli.BindFlag(a.v, root, keyUIURL)
	}
	if err != nil {
		root.RunE = func(*cobra.Command, []string) error { return err }
		return root
	}
	for _, c := range []*cobra.Command{newListCmd(a), newRunCmd(a), newStartCmd(a), newResultCmd(a), newFeedbackCmd(a), newCheckpointsCmd(a), newResumeCmd(a), newScheduleCmd(a), newDescribeCmd(a), newGraphCmd(a), newRunsCmd(a)} {
		c.GroupID = groupRuns
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{newDevCmd(a), newCodecServerCmd(a)} {
		c.GroupID = groupServer
		root.AddCommand(c)
	}
	root.AddCommand(newPromptsCmd(a))
	return root
}

// settings returns the shared settings and a logger on stderr.
func (a *app) settings(cmd *cobra.Command) (cli.Config, *slog.Logger, error) {
	cfg, err := cli.Load(a.v)
	if err != nil {
		return cli.Config{}, nil, err
	}
	return cfg, cli.NewLogger(cmd.ErrOrStderr(), cfg.LogLevel), nil
}

// connect dials the configured server and returns the client with the
// settings' Runner options; the caller closes the client. With an OTLP
// endpoint in the environment (OTEL_EXPORTER_OTLP_ENDPOINT), the client
// traces its calls: a run's trace starts at its StartWorkflow span.
func (a *app) connect(cmd *cobra.Command) (client.Client, temporal.RunnerOptions, error) {
	cfg, _, err := a.settings(cmd)
	if err != nil {
		return nil, temporal.RunnerOptions{}, err
	}
	opts, err := cli.ClientOptions(cfg, os.Stderr)
	if err != nil {
		return nil, temporal.RunnerOptions{}, err
	}
	if a.tel == nil {
		if a.tel, err = telemetry.Start(cmd.Context(), telemetry.Options{ServiceName: "graflow-starter"}); err != nil {
			return nil, temporal.RunnerOptions{}, err
		}
	}
	a.tel.Apply(&opts)
	c, err := cli.DialOptions(cmd.Context(), opts)
	if err != nil {
		return nil, temporal.RunnerOptions{}, err
	}
	return c, temporal.RunnerOptions{TaskQueue: cfg.TaskQueue, Namespace: cfg.Namespace, DataConverter: opts.DataConverter}, nil
}

// shutdownTelemetry exports the spans the starter's clients recorded.
func (a *app) shutdownTelemetry() {
	if a.tel == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.tel.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "warning: exporting traces:", err)
	}
}

// devConverters returns the data and failure converters of an embedded
// server's client: those of the settings' encryption key file, or nil
// (the SDK's defaults) without one.
func devConverters(cfg cli.Config) (converter.DataConverter, converter.FailureConverter, error) {
	if cfg.EncryptionKeyFile == "" {
		return nil, nil, nil
	}
	opts, err := cli.ClientOptions(cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	return opts.DataConverter, opts.FailureConverter, nil
}

// uiURL returns the configured Web UI base URL, without trailing slash.
func (a *app) uiURL() string {
	return strings.TrimRight(strings.TrimSpace(a.v.GetString(keyUIURL)), "/")
}

// runURL returns the Web UI page of a run.
func runURL(ui, namespace, workflowID, runID string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history",
		strings.TrimRight(ui, "/"), url.PathEscape(namespace), url.PathEscape(workflowID), url.PathEscape(runID))
}

// printStarted reports a started run on w, with its Web UI link when the UI
// is known.
func printStarted(w io.Writer, ui, namespace, workflowID, runID string) {
	fmt.Fprintf(w, "started %s run %s\n", workflowID, runID)
	if ui != "" {
		fmt.Fprintf(w, "view it at %s\n", runURL(ui, namespace, workflowID, runID))
	}
}
