// Command starter starts graflow workflows on Temporal and reads their
// results, like the temporal CLI does for plain workflows, and runs a
// complete local Temporal (embedded server, Web UI and worker) for
// development.
//
// Usage:
//
//	starter list                                   known workflows: name<TAB>description
//	starter run <workflow> [--dev] [--input k=v]…  run an example, print its formatted result
//	starter start <workflow> [--input k=v]…        start a run, print workflow-id<TAB>run-id
//	starter result <workflow-id> [--run-id R]      wait for a run, print its result
//	starter dev [--db-file F] [--port P] [--ui-port U]
//	                                               local server + Web UI + worker until Ctrl+C
//	starter codec-server [--port P] [--ui-origin URL]…
//	                                               remote codec endpoint for the Web UI and temporal CLI
//
// run and start take --workflow-id ID, --start NODE and any number of
// --input key=value (the value is JSON when it parses as JSON, else a
// string; inputs are added to the example's own initial channel). run --dev
// starts an embedded in-memory server (or --db-file F) and an in-process
// worker, runs, and stops both; without --dev the commands connect to the
// configured server, where a worker (cmd/worker) must poll the task queue.
//
// Connection settings are shared with cmd/worker: --address (GRAFLOW_ADDRESS
// or TEMPORAL_ADDRESS, default 127.0.0.1:7233), --namespace, --task-queue,
// TLS and API-key options for Temporal Cloud, --log-level and --config
// (default ./graflow.yaml when it exists); flags beat environment variables,
// which beat the config file. --ui-url (GRAFLOW_UI_URL) names the Web UI
// so that the commands print a link to each run. --encryption-key-file
// (GRAFLOW_ENCRYPTION_KEY_FILE) encrypts every payload with package codec;
// workers need the same file, and `starter dev` then serves the codec
// endpoint and points its Web UI at it.
//
// Results go to stdout, progress and logs to stderr. On failure the command
// prints "Error: ..." on stderr and exits 1.
package main
