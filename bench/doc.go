// Command bench measures graflow's overhead on Temporal. On one embedded dev
// server it runs each workload through graflow and as a hand-written
// Temporal workflow calling the same activity bodies, and prints the
// graflow/hand-written wall-time ratio (median of -runs runs) with the
// history length of each run. Results are recorded in docs/benchmarks.md.
//
//	go run ./bench -runs 5
package main
