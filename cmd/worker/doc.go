// Command worker is a graflow worker: it polls a Temporal task queue and runs
// graflow's interpreter workflow, the tasks of the examples package and, for
// starts by name from any Temporal client, every example workflow,
// until SIGINT or SIGTERM.
//
// Usage:
//
//	go run ./cmd/worker [--address host:port] [--namespace ns] [--task-queue q]
//	                    [--worker-id id] [--max-concurrent-tasks n]
//	                    [--config graflow.yaml] [--log-level info]
//	                    [--tls-cert f --tls-key f] [--tls-ca f] [--tls-server-name n] [--api-key k]
//
// Settings come from flags, then environment variables (GRAFLOW_ADDRESS or
// TEMPORAL_ADDRESS, GRAFLOW_NAMESPACE or TEMPORAL_NAMESPACE,
// GRAFLOW_TASK_QUEUE, GRAFLOW_WORKER_ID, GRAFLOW_MAX_CONCURRENT_TASKS,
// GRAFLOW_API_KEY or TEMPORAL_API_KEY, ...), then the config file
// (./graflow.yaml or --config), then defaults (127.0.0.1:7233, namespace
// "default", task queue "graflow").
//
// Logs go to stderr. On an error the command prints "Error: ..." on stderr
// and exits 1; a stop by signal exits 0.
package main
