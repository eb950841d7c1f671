// Package temporal runs graflow workflows on Temporal. Every run is one
// execution of the interpreter workflow (workflow type = the graflow
// workflow's name) and every task one activity (activity type = the task's
// name, Summary = the task id).
//
// Runner is the client side (a graflow.Executor); NewWorker registers the
// interpreter and every registered task on a Temporal worker. The graph
// travels as a Spec in the workflow input, so workers need no knowledge of
// workflows, only of tasks.
//
// This package never imports the Temporal server; the embedded dev server
// lives in temporal/devserver.
package temporal
