package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/internal/telemetry"
	"github.com/graflow-go/graflow/prompts"
	"github.com/graflow-go/graflow/temporal"
)

// Settings of the worker command besides the shared ones of package cli.
const (
	// keyWorkerID names the worker in Temporal (GRAFLOW_WORKER_ID).
	keyWorkerID = "worker-id"
	// keyMaxConcurrentTasks bounds the task bodies running at once
	// (GRAFLOW_MAX_CONCURRENT_TASKS; 0 = the SDK's default).
	keyMaxConcurrentTasks = "max-concurrent-tasks"
	// keyPromptsDir is the directory of TaskContext.Prompts
	// (GRAFLOW_PROMPTS_DIR; in the config file also prompts.dir).
	keyPromptsDir = "prompts-dir"
	// keyShutdownGrace is how long a stopping worker lets its running tasks
	// finish (GRAFLOW_SHUTDOWN_GRACE, a duration).
	keyShutdownGrace = "shutdown-grace"
	// keyMetricsAddr is the host:port of the Prometheus endpoint
	// (GRAFLOW_METRICS_ADDR; "" = none).
	keyMetricsAddr = "metrics-addr"
	// keyDeploymentName and keyBuildID put the worker in a Worker
	// Deployment (GRAFLOW_DEPLOYMENT_NAME, GRAFLOW_BUILD_ID; both or neither).
	keyDeploymentName = "deployment-name"
	keyBuildID        = "build-id"
	// keyUpgradeOnContinueAsNew moves runs to the current build at
	// continue-as-new (GRAFLOW_UPGRADE_ON_CONTINUE_AS_NEW).
	keyUpgradeOnContinueAsNew = "upgrade-on-continue-as-new"
)

// DefaultShutdownGrace is the default of --shutdown-grace: how long a worker
// told to stop (SIGINT, SIGTERM) lets its running tasks finish.
const DefaultShutdownGrace = 30 * time.Second

// Config is what a worker program runs: its tasks and the workflows any
// Temporal client may start by name. The zero value runs the tasks of
// graflow.DefaultRegistry and no workflow by name.
type Config struct {
	// Name is the command's name in help and errors ("" = "worker").
	Name string
	// Registry holds the tasks; nil = graflow.DefaultRegistry.
	Registry *graflow.Registry
	// Workflows are started by name: a start of workflow type
	// <Workflow.Name()> from any client (Web UI, temporal CLI, Schedules)
	// runs it (see temporal.WorkerOptions.Workflows).
	Workflows []*graflow.Workflow
}

// Main runs the worker command line on os.Args with cfg: it polls until
// SIGINT or SIGTERM, then stops polling, lets the running tasks finish within
// the shutdown grace (--shutdown-grace) and exits 0; on an error it prints "Error: ..." on
// stderr and exits 1. It is the whole main function of a worker program.
func Main(cfg Config) {
	if err := Command(cfg).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// settings are the resolved settings of a worker.
type settings struct {
	cli.Config
	// WorkerID is the worker's identity in Temporal.
	WorkerID string
	// MaxConcurrentTasks bounds the task bodies running at once (0 = SDK default).
	MaxConcurrentTasks int
	// PromptsDir is the prompts directory ("" = ./prompts).
	PromptsDir string
	// ShutdownGrace is how long running tasks may take to finish once the
	// worker is told to stop; then they are canceled and retried elsewhere.
	ShutdownGrace time.Duration
	// MetricsAddr is the host:port of the Prometheus endpoint ("" = none).
	MetricsAddr string
	// DeploymentName, BuildID and UpgradeOnContinueAsNew: Worker
	// Versioning (temporal.WorkerOptions).
	DeploymentName, BuildID string
	UpgradeOnContinueAsNew  bool
}

// Command returns the worker command of cfg, for programs that add it to
// their own command line. It polls the configured task queue until SIGINT
// or SIGTERM. Errors are returned, not printed (SilenceErrors).
func Command(cfg Config) *cobra.Command {
	return newCommand(cfg.Name, func(ctx context.Context, s settings, logger *slog.Logger) error {
		return run(ctx, cfg, s, logger)
	})
}

// newCommand builds the command with run as its action (tests replace it).
func newCommand(name string, run func(context.Context, settings, *slog.Logger) error) *cobra.Command {
	if name == "" {
		name = "worker"
	}
	v := viper.New()
	cmd := &cobra.Command{
		Use:   name + " [flags]",
		Short: "Run a graflow worker",
		Long: `Run a graflow worker: a Temporal worker that polls one task queue and runs
graflow's interpreter workflow (for every workflow name) and the registered
tasks, until SIGINT or SIGTERM.

With --metrics-addr the worker serves the SDK's metrics and graflow's
(graflow_tasks_started_total, graflow_tasks_succeeded_total,
graflow_tasks_failed_total, graflow_task_latency_seconds) for Prometheus on
http://<addr>/metrics. With OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, it exports a span per run and per
task attempt over OTLP, configured by the standard OTEL_* variables.

With --deployment-name and --build-id the worker is one build of a Temporal
Worker Deployment (Worker Versioning): it gets work once its build is the
deployment's current or ramping version (temporal worker deployment
set-current-version), and each run is pinned to the build that started it.

On SIGINT or SIGTERM the worker stops polling and lets the tasks it is
running finish for up to --shutdown-grace; tasks still running then are
canceled and Temporal runs them again on another worker. It exits 0.

Settings come from flags, then environment variables (GRAFLOW_*, plus
TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY), then the config
file (./graflow.yaml or --config), then defaults.`,
		Example: fmt.Sprintf(`  %[1]s --address 127.0.0.1:7233
  GRAFLOW_WORKER_ID=w1 %[1]s --max-concurrent-tasks 8
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 %[1]s --metrics-addr :9464`, name),
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return cli.ReadConfig(v)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := load(v)
			if err != nil {
				return err
			}
			return run(cmd.Context(), s, cli.NewLogger(cmd.ErrOrStderr(), s.LogLevel))
		},
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	cmd.Flags().String(keyWorkerID, "", `worker identity shown in Temporal (default "worker-<pid>")`)
	cmd.Flags().Int(keyMaxConcurrentTasks, 0, "maximum task bodies running at once (0 = SDK default)")
	cmd.Flags().String(keyPromptsDir, "", "directory of the YAML prompts tasks read (default ./prompts)")
	cmd.Flags().Duration(keyShutdownGrace, DefaultShutdownGrace, "on SIGINT/SIGTERM, how long running tasks may take to finish")
	cmd.Flags().String(keyMetricsAddr, "", `serve Prometheus metrics on http://<host:port>/metrics (e.g. ":9464"; "" = off)`)
	cmd.Flags().String(keyDeploymentName, "", "Worker Versioning: the Worker Deployment this worker belongs to (with --build-id); runs are pinned to the build that started them")
	cmd.Flags().String(keyBuildID, "", "Worker Versioning: this worker's build id within --deployment-name")
	cmd.Flags().Bool(keyUpgradeOnContinueAsNew, false, "Worker Versioning: move a run to the deployment's current build when it continues as new")
	err := cli.AddFlags(cmd, v)
	for _, key := range []string{keyWorkerID, keyMaxConcurrentTasks, keyPromptsDir, keyShutdownGrace, keyMetricsAddr, keyDeploymentName, keyBuildID, keyUpgradeOnContinueAsNew} {
		if err == nil {
			err = cli.BindFlag(v, cmd, key)
		}
	}
	if err != nil {
		cmd.RunE = func(*cobra.Command, []string) error { return err }
	}
	return cmd
}

// load resolves the worker's settings from v.
func load(v *viper.Viper) (settings, error) {
	cfg, err := cli.Load(v)
	if err != nil {
		return settings{}, err
	}
	s := settings{
		Config:      cfg,
		WorkerID:    strings.TrimSpace(v.GetString(keyWorkerID)),
		PromptsDir:  v.GetString(keyPromptsDir),
		MetricsAddr: strings.TrimSpace(v.GetString(keyMetricsAddr)),

		DeploymentName:         strings.TrimSpace(v.GetString(keyDeploymentName)),
		BuildID:                strings.TrimSpace(v.GetString(keyBuildID)),
		UpgradeOnContinueAsNew: v.GetBool(keyUpgradeOnContinueAsNew),
	}
	if s.PromptsDir == "" {
		s.PromptsDir = v.GetString("prompts.dir")
	}
	if s.WorkerID == "" {
		s.WorkerID = fmt.Sprintf("worker-%d", os.Getpid())
	}
	switch {
	case s.BuildID != "" && s.DeploymentName == "":
		return settings{}, fmt.Errorf("--%s needs --%s (or %s)", keyBuildID, keyDeploymentName, cli.EnvName(keyDeploymentName))
	case s.DeploymentName != "" && s.BuildID == "":
		return settings{}, fmt.Errorf("--%s needs --%s (or %s)", keyDeploymentName, keyBuildID, cli.EnvName(keyBuildID))
	case s.UpgradeOnContinueAsNew && s.BuildID == "":
		return settings{}, fmt.Errorf("--%s needs --%s and --%s", keyUpgradeOnContinueAsNew, keyDeploymentName, keyBuildID)
	}
	raw := strings.TrimSpace(v.GetString(keyMaxConcurrentTasks))
	if raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return settings{}, fmt.Errorf("invalid %s %q: want a whole number >= 0", keyMaxConcurrentTasks, raw)
		}
		s.MaxConcurrentTasks = n
	}
	raw = strings.TrimSpace(v.GetString(keyShutdownGrace))
	if raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 {
			return settings{}, fmt.Errorf("invalid %s %q: want a duration >= 0 such as 30s or 2m", keyShutdownGrace, raw)
		}
		s.ShutdownGrace = d
	}
	return s, nil
}

// run dials Temporal, runs a worker with the tasks and workflows of cfg and
// returns nil once SIGINT or SIGTERM arrives or ctx ends, after the worker
// has stopped: polling ends at once, running tasks get s.ShutdownGrace to
// finish.
func run(ctx context.Context, cfg Config, s settings, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	tel, err := telemetry.Start(ctx, telemetry.Options{ServiceName: "graflow-worker", MetricsAddr: s.MetricsAddr})
	if err != nil {
		return err
	}
	defer shutdownTelemetry(tel, logger)
	opts, err := cli.ClientOptions(s.Config, os.Stderr)
	if err != nil {
		return err
	}
	tel.Apply(&opts)
	c, err := cli.DialOptions(ctx, opts)
	if err != nil {
		return err
	}
	defer c.Close()

	reg := cfg.Registry
	if reg == nil {
		reg = graflow.DefaultRegistry
	}
	w, err := temporal.NewWorker(c, s.TaskQueue, temporal.WorkerOptions{
		Registry:           reg,
		Workflows:          cfg.Workflows,
		Identity:           s.WorkerID,
		Logger:             logger,
		MaxConcurrentTasks: s.MaxConcurrentTasks,
		StopTimeout:        s.ShutdownGrace,
		Prompts:            prompts.NewManager(s.PromptsDir),

		DeploymentName:         s.DeploymentName,
		BuildID:                s.BuildID,
		UpgradeOnContinueAsNew: s.UpgradeOnContinueAsNew,
	})
	if err != nil {
		return fmt.Errorf("worker %s: %w", s.WorkerID, err)
	}
	logger.Info(banner(s, reg.Names(), cfg.Workflows, tel))

	done := make(chan any)
	runDone := make(chan struct{})
	defer close(runDone)
	go func() {
		select {
		case <-ctx.Done():
			logger.Info(fmt.Sprintf("worker %s draining: polling stopped, running tasks have %s to finish", s.WorkerID, s.ShutdownGrace))
			close(done)
		case <-runDone: // Run failed
		}
	}()
	if err := w.Run(done); err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return nil
		}
		return fmt.Errorf("worker %s on task queue %s at %s: %w", s.WorkerID, s.TaskQueue, s.Address, err)
	}
	logger.Info(fmt.Sprintf("worker %s stopped", s.WorkerID))
	return nil
}

// banner is the line a worker logs once it is ready: "worker <id> polling
// task queue <q> at <address> (<n> tasks: a, b; <m> workflows: x)", then
// "; payloads encrypted with keys of <file>" with an encryption key file,
// "; metrics on <url>" with a metrics endpoint and "; tracing over OTLP"
// with tracing on.
func banner(s settings, tasks []string, workflows []*graflow.Workflow, tel *telemetry.Telemetry) string {
	names := make([]string, len(workflows))
	for i, wf := range workflows {
		names[i] = wf.Name()
	}
	line := fmt.Sprintf("worker %s polling task queue %s at %s (%d tasks: %s; %d workflows: %s)",
		s.WorkerID, s.TaskQueue, s.Address, len(tasks), listOrNone(tasks), len(names), listOrNone(names))
	if s.BuildID != "" {
		line += fmt.Sprintf("; build %s of deployment %s (runs pinned", s.BuildID, s.DeploymentName)
		if s.UpgradeOnContinueAsNew {
			line += ", moved to the current build at continue-as-new"
		}
		line += ")"
	}
	if s.EncryptionKeyFile != "" {
		line += "; payloads encrypted with keys of " + s.EncryptionKeyFile
	}
	if url := tel.MetricsURL(); url != "" {
		line += "; metrics on " + url
	}
	if tel.Tracing() {
		line += "; tracing over OTLP"
	}
	return line
}

// telemetryFlushTimeout bounds the export of the last spans at exit.
const telemetryFlushTimeout = 5 * time.Second

// shutdownTelemetry exports the spans not yet exported and closes the
// metrics endpoint; a failure is logged, the worker's exit is not changed.
func shutdownTelemetry(tel *telemetry.Telemetry, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		logger.Warn("telemetry shutdown", "error", err)
	}
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
