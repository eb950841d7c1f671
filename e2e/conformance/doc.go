// Package conformance defines the tasks of the end-to-end conformance tests
// (Graflow's behavioural scenarios). Both the test process (which compiles
// the graphs) and the test worker process (which runs the tasks) import it.
// Every task name starts with "c_" so that it never collides with the
// examples' tasks in graflow.DefaultRegistry.
package conformance
