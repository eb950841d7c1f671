// Package e2e holds the end-to-end tests: they start an embedded Temporal
// server (temporal/devserver), run cmd/worker and e2e/testworker as separate
// OS processes, and run every example and Graflow's conformance scenarios
// through temporal.Runner.
package e2e
