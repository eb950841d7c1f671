// Package postgres holds the end-to-end suite on a Temporal server on
// PostgreSQL with 4 history shards and the server's default dynamic config
// (four task-queue partitions, the stock queue-reader and API rate limits):
// the settings users' servers have. It runs the examples, a 1,000-wide
// dynamic fan-out, HITL answers, a checkpoint resume and a worker SIGKILL
// (the scenarios of e2e/harness, shared with package e2e on the dev server).
//
// The server is the one of GRAFLOW_TEST_POSTGRES_DSN (.ci/run installs and
// starts Debian's PostgreSQL and sets it), else a throw-away cluster from the
// local PostgreSQL installation; the suite fails, with instructions, when
// there is neither. It creates its own databases and drops them at the end.
package postgres
