// Package activities is the task runner: the Temporal activity that runs one
// graflow task. It decodes the task's parameters, gives the body a channel
// view (the values sent with the task, its own writes, and anything else
// fetched on demand from the workflow by Query), heartbeats while the body
// runs, and returns the task's value with its channel operations.
//
// Its input and output (wire.Input, wire.Output in internal/wire) are the
// contract between the interpreter workflow (package temporal) and the
// runner.
package activities
