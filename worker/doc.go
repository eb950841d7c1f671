// Package worker is the command line of a graflow worker program: a
// Temporal worker that polls one task queue and runs graflow's interpreter
// workflow, the tasks of a registry, and the workflows that any Temporal
// client may start by name. cmd/worker is this package with the examples;
// a program of your own is
//
//	func main() {
//		worker.Main(worker.Config{Workflows: []*graflow.Workflow{pipeline.ETL()}})
//	}
//
// with the tasks registered by the packages it imports (graflow.NewTask
// registers in graflow.DefaultRegistry).
//
// Besides the shared settings (address, namespace, task queue, TLS, API
// key, config file, log level) the command takes --worker-id
// (GRAFLOW_WORKER_ID, default "worker-<pid>"), --max-concurrent-tasks
// (GRAFLOW_MAX_CONCURRENT_TASKS, default 0 = the SDK's default) and
// --prompts-dir (GRAFLOW_PROMPTS_DIR) and --shutdown-grace
// (GRAFLOW_SHUTDOWN_GRACE, default 30s); --encryption-key-file
// (GRAFLOW_ENCRYPTION_KEY_FILE) encrypts payloads (package codec), and must
// be the same file as the starters'. Flags beat environment variables,
// which beat the config file (./graflow.yaml or --config). It runs until
// SIGINT or SIGTERM, then drains: polling stops at once, the tasks still
// running get the shutdown grace to finish (those still running after it
// are canceled and Temporal runs them again on another worker), and it
// exits 0.
//
// The package does not import go.temporal.io/server: worker binaries stay
// small and quick to build.
package worker
