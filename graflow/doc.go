// Package graflow is the user API of graflow-go: tasks with typed inputs and
// outputs, composition with Chain (Graflow's >>) and Parallel (Graflow's |), a
// shared key-value Channel, workflows that are validated before they run, and
// the TaskContext a running task sees.
//
// The package imports no Temporal code. A Workflow runs through an Executor;
// package github.com/graflow-go/graflow/temporal provides the one that turns
// every run into a Temporal workflow execution and every task into an
// activity.
//
//	double := graflow.NewTask("double", func(ctx *graflow.TaskContext, in struct{ N int }) (int, error) {
//		return in.N * 2, nil
//	})
//	wf := graflow.NewWorkflow("demo")
//	wf.Add(graflow.Chain(fetch, double, store))
//	res, err := wf.Execute(ctx, runner, graflow.InitialChannel(map[string]any{"N": 21}))
//
// Parameters are resolved channel < upstream result < bound value: a field
// whose key names an upstream task id receives that task's result.
package graflow
