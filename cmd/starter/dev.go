package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/worker"

	"github.com/graflow-go/graflow/codec"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/temporal"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// Defaults of `starter dev`.
const (
	defaultDevDBFile = "graflow-dev.sqlite"
	defaultDevPort   = 7233
	defaultDevUIPort = 8233
	// defaultDevShutdownGrace is cmd/worker's default --shutdown-grace.
	defaultDevShutdownGrace = 30 * time.Second
)

// local is an embedded Temporal server with, optionally, an in-process
// worker polling it.
type local struct {
	srv *devserver.Server
	w   worker.Worker
}

// localWorker configures the in-process worker of startLocal.
type localWorker struct {
	// taskQueue is polled; "" = no in-process worker.
	taskQueue string
	// grace is how long stop lets running tasks finish.
	grace time.Duration
}

// startLocal starts an embedded server and, unless lw.taskQueue is "", an
// in-process worker with the tasks of graflow.DefaultRegistry on it.
func startLocal(ctx context.Context, opts devserver.Options, lw localWorker, logger *slog.Logger) (*local, error) {
	taskQueue := lw.taskQueue
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	l := &local{srv: srv}
	if taskQueue == "" {
		return l, nil
	}
	w, err := temporal.NewWorker(srv.Client(), taskQueue, temporal.WorkerOptions{
		Identity:    fmt.Sprintf("starter-%d", os.Getpid()),
		Logger:      logger,
		Workflows:   examples.Workflows(),
		StopTimeout: lw.grace,
	})
	if err == nil {
		err = w.Start()
	}
	if err != nil {
		l.stop(logger)
		return nil, fmt.Errorf("in-process worker on task queue %s: %w", taskQueue, err)
	}
	l.w = w
	return l, nil
}

// stop stops the worker (letting its running tasks finish within its
// grace), then the server.
func (l *local) stop(logger *slog.Logger) {
	if l.w != nil {
		l.w.Stop()
	}
	if err := l.srv.Stop(); err != nil {
		logger.Warn("stopping the dev server", "error", err)
	}
}

// newDevCmd builds `starter dev`: embedded server, Web UI and worker, up
// until SIGINT or SIGTERM.
func newDevCmd(a *app) *cobra.Command {
	var (
		dbFile    string
		port      int
		uiPort    int
		codecPort int
		noWorker  bool
		grace     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a local Temporal server, Web UI and worker until Ctrl+C",
		Long: `Run a complete local Temporal for development: an embedded server whose
data persists in a SQLite file, the Temporal Web UI, and an in-process worker
with graflow's tasks. Workers and starters in other terminals connect to it
(the command prints their command lines). Stops cleanly on Ctrl+C.

--address is ignored: the server listens on 127.0.0.1:--port.

With an encryption key file (--encryption-key-file, GRAFLOW_ENCRYPTION_KEY_FILE)
the in-process worker encrypts payloads, and the command also serves the remote
codec endpoint on 127.0.0.1:--codec-port, which the Web UI is configured with:
the UI shows decrypted payloads.`,
		Example: `  starter dev
  starter dev --db-file /tmp/graflow.sqlite --port 7300 --ui-port 8300
  starter dev --no-worker            # only workers started with ./cmd/worker`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, logger, err := a.settings(cmd)
			if err != nil {
				return err
			}
			if port <= 0 {
				return fmt.Errorf("invalid --port %d", port)
			}
			ctx := cmd.Context()
			queue := cfg.TaskQueue
			if noWorker {
				queue = ""
			}
			opts := devserver.Options{
				DBFile:       dbFile,
				FrontendPort: port,
				UIPort:       uiPort,
				Namespace:    cfg.Namespace,
				Logger:       logger,
			}
			var (
				enc       *codec.Codec
				codecSrv  *codecServer
				codecHTTP lateHandler
			)
			if cfg.EncryptionKeyFile != "" {
				if enc, err = cli.Codec(cfg); err != nil {
					return err
				}
				if codecPort < 0 || codecPort > 65535 {
					return fmt.Errorf("invalid --codec-port %d", codecPort)
				}
				if codecSrv, err = serveCodec(net.JoinHostPort("127.0.0.1", strconv.Itoa(codecPort)), &codecHTTP); err != nil {
					return fmt.Errorf("%w (choose another port with --codec-port)", err)
				}
				defer codecSrv.stop()
				opts.DataConverter = codec.NewDataConverter(enc)
				opts.FailureConverter = codec.NewFailureConverter(opts.DataConverter)
				opts.CodecEndpoint = codecSrv.URL()
			}
			l, err := startLocal(ctx, opts, localWorker{taskQueue: queue, grace: grace}, logger)
			if err != nil {
				return err
			}
			if enc != nil {
				codecHTTP.set(codec.NewHTTPHandler(codec.HTTPOptions{AllowedOrigins: uiOrigins(l.srv.UIAddress())}, enc))
			}
			printDevBanner(cmd.ErrOrStderr(), l.srv, cfg, dbFile, !noWorker, codecSrv, enc)
			<-ctx.Done()
			if l.w != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "stopping: worker draining (running tasks have %s to finish)...\n", grace)
			} else {
				fmt.Fprintln(cmd.ErrOrStderr(), "stopping...")
			}
			l.stop(logger)
			fmt.Fprintln(cmd.ErrOrStderr(), "stopped")
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&dbFile, "db-file", defaultDevDBFile, `SQLite file of the server ("" = in memory)`)
	fs.IntVar(&port, "port", defaultDevPort, "frontend (gRPC) port on 127.0.0.1")
	fs.IntVar(&uiPort, "ui-port", defaultDevUIPort, "Web UI port on 127.0.0.1 (0 = free port, -1 = no UI)")
	fs.BoolVar(&noWorker, "no-worker", false, "do not run an in-process worker")
	fs.DurationVar(&grace, "shutdown-grace", defaultDevShutdownGrace, "on Ctrl+C, how long the in-process worker's running tasks may take to finish")
	fs.IntVar(&codecPort, "codec-port", defaultCodecPort, "with an encryption key file: port of the codec endpoint on 127.0.0.1 (0 = free port)")
	return cmd
}

// printDevBanner tells where the server is and how to use it from other
// terminals.
func printDevBanner(w io.Writer, srv *devserver.Server, cfg cli.Config, dbFile string, withWorker bool, codecSrv *codecServer, enc *codec.Codec) {
	addr := srv.FrontendAddress()
	conn := "--address " + addr
	if enc != nil {
		keys := cfg.EncryptionKeyFile
		if abs, err := filepath.Abs(keys); err == nil {
			keys = abs
		}
		conn += " --encryption-key-file " + keys
	}
	if cfg.Namespace != cli.DefaultNamespace {
		conn += " --namespace " + cfg.Namespace
	}
	if cfg.TaskQueue != temporal.DefaultTaskQueue {
		conn += " --task-queue " + cfg.TaskQueue
	}
	db := "in memory (lost on stop)"
	if dbFile != "" {
		if abs, err := filepath.Abs(dbFile); err == nil {
			dbFile = abs
		}
		db = dbFile
	}
	name := "<workflow>"
	if _, ok := examples.Get("etl"); ok {
		name = "etl"
	} else if all := examples.All(); len(all) > 0 {
		name = all[0].Name
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Temporal dev server\n")
	fmt.Fprintf(&b, "  frontend:  %s (namespace %s)\n", addr, srv.Namespace())
	if ui := srv.UIAddress(); ui != "" {
		fmt.Fprintf(&b, "  web UI:    %s\n", ui)
	}
	fmt.Fprintf(&b, "  database:  %s\n", db)
	if enc != nil {
		fmt.Fprintf(&b, "  payloads:  encrypted, key %s (keys: %s)\n", enc.CurrentKeyID(), strings.Join(enc.KeyIDs(), ", "))
		fmt.Fprintf(&b, "  codec:     %s (the Web UI decodes with it)\n", codecSrv.URL())
	}
	if withWorker {
		fmt.Fprintf(&b, "  worker:    in-process on task queue %s (%d tasks)\n",
			cfg.TaskQueue, len(graflow.DefaultRegistry.Names()))
	} else {
		fmt.Fprintf(&b, "  worker:    none in-process; start one with the command below\n")
	}
	starterConn := conn
	if ui := srv.UIAddress(); ui != "" {
		starterConn += " --ui-url " + ui
	}
	fmt.Fprintf(&b, "\nFrom other terminals:\n")
	fmt.Fprintf(&b, "  go run ./cmd/worker %s\n", conn)
	fmt.Fprintf(&b, "  go run ./cmd/starter run %s %s\n", name, starterConn)
	fmt.Fprintf(&b, "  go run ./cmd/starter list\n")
	if codecSrv != nil {
		fmt.Fprintf(&b, "  temporal workflow show --address %s --workflow-id <id> --codec-endpoint %s\n", addr, codecSrv.URL())
	}
	fmt.Fprintf(&b, "\nPress Ctrl+C to stop.\n")
	_, _ = io.WriteString(w, b.String())
}
