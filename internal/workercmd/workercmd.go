package workercmd

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

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/prompts"
	"github.com/graflow-go/graflow/temporal"
)

// Settings of the worker command besides the shared ones of package cli.
const (
	// KeyWorkerID names the worker in Temporal (GRAFLOW_WORKER_ID).
	KeyWorkerID = "worker-id"
	// KeyMaxConcurrentTasks bounds the task bodies running at once
	// (GRAFLOW_MAX_CONCURRENT_TASKS; 0 = the SDK's default).
	KeyMaxConcurrentTasks = "max-concurrent-tasks"
	// KeyPromptsDir is the directory of TaskContext.Prompts
	// (GRAFLOW_PROMPTS_DIR; in the config file also prompts.dir).
	KeyPromptsDir = "prompts-dir"
)

// Settings are the resolved settings of a worker.
type Settings struct {
	cli.Config
	// WorkerID is the worker's identity in Temporal.
	WorkerID string
	// MaxConcurrentTasks bounds the task bodies running at once (0 = SDK default).
	MaxConcurrentTasks int
	// PromptsDir is the prompts directory ("" = ./prompts).
	PromptsDir string
}

// Command returns the command of a worker binary called name. It polls the
// configured task queue with the tasks of graflow.DefaultRegistry until
// SIGINT or SIGTERM. Errors are returned, not printed (SilenceErrors): the
// caller prints "Error: ..." and exits 1.
func Command(name string) *cobra.Command {
	return newCommand(name, Run)
}

// newCommand builds the command with run as its action (tests replace it).
func newCommand(name string, run func(context.Context, Settings, *slog.Logger) error) *cobra.Command {
	v := viper.New()
	cmd := &cobra.Command{
		Use:   name + " [flags]",
		Short: "Run a graflow worker",
		Long: `Run a graflow worker: a Temporal worker that polls one task queue and runs
graflow's interpreter workflow (for every workflow name) and the registered
tasks, until SIGINT or SIGTERM.

Settings come from flags, then environment variables (GRAFLOW_*, plus
TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY), then the config
file (./graflow.yaml or --config), then defaults.`,
		Example: fmt.Sprintf(`  %[1]s --address 127.0.0.1:7233
  GRAFLOW_WORKER_ID=w1 %[1]s --max-concurrent-tasks 8`, name),
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return cli.ReadConfig(v)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := Load(v)
			if err != nil {
				return err
			}
			return run(cmd.Context(), s, cli.NewLogger(cmd.ErrOrStderr(), s.LogLevel))
		},
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	cmd.Flags().String(KeyWorkerID, "", `worker identity shown in Temporal (default "worker-<pid>")`)
	cmd.Flags().Int(KeyMaxConcurrentTasks, 0, "maximum task bodies running at once (0 = SDK default)")
	cmd.Flags().String(KeyPromptsDir, "", "directory of the YAML prompts tasks read (default ./prompts)")
	err := cli.AddFlags(cmd, v)
	if err == nil {
		err = cli.BindFlag(v, cmd, KeyWorkerID)
	}
	if err == nil {
		err = cli.BindFlag(v, cmd, KeyMaxConcurrentTasks)
	}
	if err == nil {
		err = cli.BindFlag(v, cmd, KeyPromptsDir)
	}
	if err != nil {
		cmd.RunE = func(*cobra.Command, []string) error { return err }
	}
	return cmd
}

// Load resolves the worker's settings from v.
func Load(v *viper.Viper) (Settings, error) {
	cfg, err := cli.Load(v)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{Config: cfg, WorkerID: strings.TrimSpace(v.GetString(KeyWorkerID)), PromptsDir: v.GetString(KeyPromptsDir)}
	if s.PromptsDir == "" {
		s.PromptsDir = v.GetString("prompts.dir")
	}
	if s.WorkerID == "" {
		s.WorkerID = fmt.Sprintf("worker-%d", os.Getpid())
	}
	raw := strings.TrimSpace(v.GetString(KeyMaxConcurrentTasks))
	if raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return Settings{}, fmt.Errorf("invalid %s %q: want a whole number >= 0", KeyMaxConcurrentTasks, raw)
		}
		s.MaxConcurrentTasks = n
	}
	return s, nil
}

// Run dials Temporal, runs a worker with the tasks of
// graflow.DefaultRegistry and returns nil once SIGINT or SIGTERM arrives or
// ctx ends, after the worker has stopped.
func Run(ctx context.Context, s Settings, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	c, err := cli.DialConfig(ctx, s.Config)
	if err != nil {
		return err
	}
	defer c.Close()

	w, err := temporal.NewWorker(c, s.TaskQueue, temporal.WorkerOptions{
		Identity:           s.WorkerID,
		Logger:             logger,
		MaxConcurrentTasks: s.MaxConcurrentTasks,
		Prompts:            prompts.NewManager(s.PromptsDir),
	})
	if err != nil {
		return fmt.Errorf("worker %s: %w", s.WorkerID, err)
	}
	logger.Info(Banner(s, graflow.DefaultRegistry.Names()))

	done := make(chan any)
	go func() {
		<-ctx.Done()
		close(done)
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

// Banner is the line a worker logs once it is ready:
// "worker <id> polling task queue <q> at <address> (<n> tasks: a, b)".
func Banner(s Settings, tasks []string) string {
	list := "none"
	if len(tasks) > 0 {
		list = strings.Join(tasks, ", ")
	}
	return fmt.Sprintf("worker %s polling task queue %s at %s (%d tasks: %s)",
		s.WorkerID, s.TaskQueue, s.Address, len(tasks), list)
}
