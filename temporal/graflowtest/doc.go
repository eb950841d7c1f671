// Package graflowtest runs graflow workflows inside the Temporal SDK's test
// environment (go.temporal.io/sdk/testsuite): the real interpreter workflow
// and task runner, no server, timers skipped. Use it for fast unit tests of
// your workflows:
//
//	exec := graflowtest.NewExecutor(reg)
//	res, err := wf.Execute(ctx, exec)
//
// Tasks that read channel keys they did not declare (graflow.WithReads)
// cannot fetch them here: the test environment answers no queries from
// activities.
package graflowtest
