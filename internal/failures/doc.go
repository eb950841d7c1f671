// Package failures carries graflow's typed errors through Temporal's failure
// encoding: Encode turns them into ApplicationErrors with a stable type
// string ("graflow.TaskError", ...) and structured details, Decode rebuilds
// the typed value on the other side.
package failures
