// Package graflowtest runs graflow workflows inside the Temporal SDK's test
// environment (go.temporal.io/sdk/testsuite): the real interpreter workflow
// and task runner, no server, timers skipped. Use it for fast unit tests of
// your workflows:
//
//	exec := graflowtest.NewExecutor(reg)
//	res, err := wf.Execute(ctx, exec)
//
// The test environment answers no queries from activities, so every task
// is sent the whole channel (on a server, tasks receive only their
// parameters and declared reads and fetch the rest on demand).
package graflowtest
