// Package workercmd builds the command of a graflow worker binary: a
// Temporal worker that polls one task queue and runs the interpreter
// workflow and every task of graflow.DefaultRegistry. The tasks are those
// registered by the packages the main package imports (cmd/worker imports
// examples).
//
//	func main() {
//		if err := workercmd.Command("worker").Execute(); err != nil {
//			fmt.Fprintln(os.Stderr, "Error:", err)
//			os.Exit(1)
//		}
//	}
//
// Besides the shared settings of package internal/cli (address, namespace,
// task queue, TLS, config file, log level) the command takes --worker-id
// (GRAFLOW_WORKER_ID, default "worker-<pid>") and --max-concurrent-tasks
// (GRAFLOW_MAX_CONCURRENT_TASKS, default 0 = the SDK's default). It runs
// until SIGINT or SIGTERM and then stops cleanly.
//
// The package must not import go.temporal.io/server: worker binaries stay
// small and quick to build.
package workercmd
