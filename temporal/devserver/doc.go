// Package devserver runs a complete Temporal server inside the current
// process, for local development and end-to-end tests.
//
// The server is built from the Temporal server's own packages
// (go.temporal.io/server/temporal): all four services (frontend, history,
// matching, worker) run in-process on loopback ports with static membership,
// one history shard, and SQLite persistence, either in memory or in a file
// that survives restarts. Optionally the Temporal Web UI
// (github.com/temporalio/ui-server) is served next to it.
//
// Start prepares the SQLite schema and the namespace (with graflow's custom
// search attributes GraflowAwaitingFeedback and GraflowWorkflow), starts the
// server, and returns only once the frontend answers, so the server is usable
// as soon as Start returns:
//
//	srv, err := devserver.Start(ctx, devserver.Options{UIPort: -1})
//	if err != nil {
//		return err
//	}
//	defer srv.Stop()
//	c := srv.Client() // an SDK client on srv.Namespace()
//
// The server is tuned for a single machine: the history queue readers are not
// throttled (the stock limit of 20 reads per second per shard makes every
// sequential workflow step wait ~40 ms on a one-shard server), search
// attributes are visible immediately after they are created, the per
// namespace rate limits are raised, and a file database runs in WAL mode with
// synchronous=NORMAL. The system workers that server v1.32.1 never stops (the
// parent-close-policy processor, the task-queue and history scanners) are
// disabled, so Stop leaves no pollers behind; parent close policies are then
// applied by the history service itself.
//
// With Options.TLS the frontend serves TLS, or mutual TLS with a client CA;
// the server's own clients (Client, its system workers, the Web UI) then
// connect with the CA and client certificate given there.
//
// With Options.Postgres the server runs on PostgreSQL instead (plugin
// postgres12: a history and a visibility database, created with their
// schemas and the namespaces on first start) the way users' servers run:
// 4 history shards and the server's default dynamic config, so four
// partitions per task queue, the stock queue-reader limits (a workflow's
// sequential steps take ~45 ms each instead of ~3.5 ms) and the stock API
// rate limits. Only the three system-worker switches above are kept; they
// concern the server living inside a process, not its speed. A Temporary
// store is dropped on Stop. The e2e/postgres suite and `go run ./bench
// -postgres` use it.
//
// Limitations: the server's SQLite connection pool keeps one connection per
// database open for the life of the process (a server stopped and started
// again on the same file in one process reuses it); an in-memory database is
// emptied when its server stops. Only one server (in any process) may use a
// given database file at a time.
package devserver
