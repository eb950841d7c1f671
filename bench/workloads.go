package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/graflow"
)

// The activity bodies both sides run.

func noopBody(context.Context) (int, error) { return 1, nil }

func sleepBody(ctx context.Context) (int, error) {
	select {
	case <-time.After(50 * time.Millisecond):
		return 1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func sumBody(_ context.Context, n int) (int, error) { return n, nil }

func mergeBody(_ context.Context, i int) (int, error) { return i, nil }

// bigChannel is W7's initial channel: 100 documents of 10 KB (1 MB).
func bigChannel() map[string]any {
	docs := map[string]any{}
	for i := range 100 {
		docs[fmt.Sprintf("doc_%03d", i)] = strings.Repeat("d", 10_000)
	}
	return docs
}

// graflow tasks over the same bodies.

var (
	noopTask  = graflow.NewTask("bench_noop", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return noopBody(ctx) })
	sleepTask = graflow.NewTask("bench_sleep", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return sleepBody(ctx) })
	sumTask   = graflow.NewTask("bench_sum", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return sumBody(ctx, 100) })
	fanTask   = graflow.NewTask("bench_fan", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		nodes := make([]graflow.Node, 1000)
		for i := range nodes {
			nodes[i] = noopTask.Instance(fmt.Sprintf("d%04d", i), nil)
		}
		return 1000, ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...).Named("workers"))
	})
	// W6: members read one undeclared key and Append + Add, as users write them.
	mergeTask = graflow.NewTask("bench_merge", func(ctx *graflow.TaskContext, in struct {
		I int `json:"i"`
	}) (int, error) {
		var base int
		_ = ctx.Channel().Get("base", &base)
		v, _ := mergeBody(ctx, in.I)
		ctx.Channel().Append("items", v)
		ctx.Channel().Add("sum", float64(base+v))
		return v, nil
	})
	mergeFanTask = graflow.NewTask("bench_merge_fan", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) {
		nodes := make([]graflow.Node, 1000)
		for i := range nodes {
			nodes[i] = mergeTask.Instance(fmt.Sprintf("m%04d", i), graflow.Params{"i": i})
		}
		return 1000, ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...).Named("workers"))
	})
	localNoopTask = graflow.NewTask("bench_local_noop", func(ctx *graflow.TaskContext, _ graflow.None) (int, error) { return noopBody(ctx) }, graflow.WithLocal())
	localLoopTask = graflow.NewTask("bench_local_loop", loopBody, graflow.WithMaxCycles(1000), graflow.WithLocal())
	loopTask      = graflow.NewTask("bench_loop", loopBody, graflow.WithMaxCycles(1000))
)

type loopIn struct {
	N int `json:"n"`
}

// loopBody iterates with NextIteration until N reaches 1,000.
func loopBody(ctx *graflow.TaskContext, in loopIn) (int, error) {
	if _, err := noopBody(ctx); err != nil {
		return 0, err
	}
	if in.N < 1000 {
		return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
	}
	return in.N, nil
}

// workflowOf is a workflow called name of nodes.
func workflowOf(name string, nodes ...graflow.Node) *graflow.Workflow {
	wf := graflow.NewWorkflow(name)
	wf.Add(nodes...)
	return wf
}

// chain is a workflow called name of n instances of task in a row.
func chain(name string, task *graflow.Task[graflow.None, int], n int) *graflow.Workflow {
	nodes := make([]graflow.Node, n)
	for i := range nodes {
		nodes[i] = task.Instance(fmt.Sprintf("n%03d", i), nil)
	}
	return workflowOf(name, graflow.Chain(nodes[0], nodes[1:]...))
}

// workload is one benchmark: a graflow workflow and its hand-written twin.
type workload struct {
	name    string
	about   string
	graflow func() *graflow.Workflow
	hand    any // workflow function
	// options are the graflow run's options (its initial channel), and
	// handArgs the hand-written run's arguments.
	options  []graflow.ExecuteOption
	handArgs []any
	// children are the ids of the child runs of a graflow run.
	children func(workflowID string) []string
	// perTask divides the graflow run's history bytes into the bytes per
	// task (0 = not reported).
	perTask int
}

var workloads = []workload{
	{
		name:    "W1",
		about:   "200-task chain of trivial tasks",
		graflow: func() *graflow.Workflow { return chain("bench_w1", noopTask, 200) },
		hand:    HandChain,
	},
	{
		name:  "W2",
		about: "100-wide parallel group of 50 ms tasks, then an aggregate",
		graflow: func() *graflow.Workflow {
			nodes := make([]graflow.Node, 100)
			for i := range nodes {
				nodes[i] = sleepTask.Instance(fmt.Sprintf("s%03d", i), nil)
			}
			wf := graflow.NewWorkflow("bench_w2")
			wf.Add(graflow.Chain(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...), sumTask.Instance("sum", nil)))
			return wf
		},
		hand: HandFanOut,
	},
	{
		name:  "W3",
		about: "1,000-wide dynamic fan-out of trivial tasks, then an aggregate",
		graflow: func() *graflow.Workflow {
			return workflowOf("bench_w3", graflow.Chain(fanTask, sumTask.Instance("sum", nil)))
		},
		hand: HandDynamicFanOut,
		children: func(id string) []string {
			return []string{id + "/workers/batch-1", id + "/workers/batch-2"}
		},
	},
	{
		name:  "W4",
		about: "1,000-iteration loop of a trivial task",
		graflow: func() *graflow.Workflow {
			return workflowOf("bench_w4", loopTask.Instance("loop", graflow.Params{"n": 1}))
		},
		hand: HandLoop,
	},
	{
		name:    "W1L",
		about:   "W1 with local tasks (WithLocal)",
		graflow: func() *graflow.Workflow { return chain("bench_w1l", localNoopTask, 200) },
		hand:    HandLocalChain,
	},
	{
		name:  "W4L",
		about: "W4 with a local task (WithLocal)",
		graflow: func() *graflow.Workflow {
			return workflowOf("bench_w4l", localLoopTask.Instance("loop", graflow.Params{"n": 1}))
		},
		hand: HandLocalLoop,
	},
	{
		name:    "S1",
		about:   "one trivial task, start to result (eager start)",
		graflow: func() *graflow.Workflow { return workflowOf("bench_s1", noopTask.Instance("one", nil)) },
		hand:    HandOne,
	},
	{
		name:    "S1L",
		about:   "one trivial local task, start to result (eager start)",
		graflow: func() *graflow.Workflow { return workflowOf("bench_s1l", localNoopTask.Instance("one", nil)) },
		hand:    HandLocalOne,
	},
	{
		name:  "W6",
		about: "W3 with members reading a key and Append + Add (undeclared)",
		graflow: func() *graflow.Workflow {
			return workflowOf("bench_w6", graflow.Chain(mergeFanTask, sumTask.Instance("sum", nil)))
		},
		options: []graflow.ExecuteOption{graflow.InitialChannel(map[string]any{"base": 1})},
		hand:    HandMergeFanOut,
		children: func(id string) []string {
			return []string{id + "/workers/batch-1", id + "/workers/batch-2"}
		},
		perTask: 1000,
	},
	{
		name:     "W7",
		about:    "100-task chain of trivial tasks over a 1 MB channel",
		graflow:  func() *graflow.Workflow { return chain("bench_w7", noopTask, 100) },
		options:  []graflow.ExecuteOption{graflow.InitialChannel(bigChannel())},
		hand:     HandBigChain,
		handArgs: []any{bigChannel()},
		perTask:  100,
	},
}

func activityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
}

func localActivityCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
}

// localSequence runs n trivial local activities one after another.
func localSequence(ctx workflow.Context, n int) (int, error) {
	ctx = localActivityCtx(ctx)
	total := 0
	for range n {
		var v int
		if err := workflow.ExecuteLocalActivity(ctx, "hand_noop").Get(ctx, &v); err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// HandLocalChain is W1L written by hand: 200 sequential local activities.
func HandLocalChain(ctx workflow.Context) (int, error) { return localSequence(ctx, 200) }

// HandLocalLoop is W4L written by hand: 1,000 sequential local activities.
func HandLocalLoop(ctx workflow.Context) (int, error) { return localSequence(ctx, 1000) }

// HandOne is S1 written by hand: one activity.
func HandOne(ctx workflow.Context) (int, error) { return sequence(ctx, 1) }

// HandLocalOne is S1L written by hand: one local activity.
func HandLocalOne(ctx workflow.Context) (int, error) { return localSequence(ctx, 1) }

// sequence runs n trivial activities one after another.
func sequence(ctx workflow.Context, n int) (int, error) {
	ctx = activityCtx(ctx)
	total := 0
	for range n {
		var v int
		if err := workflow.ExecuteActivity(ctx, "hand_noop").Get(ctx, &v); err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// fanOut starts n activities at once, waits for all and aggregates.
func fanOut(ctx workflow.Context, activity string, n int) (int, error) {
	ctx = activityCtx(ctx)
	futures := make([]workflow.Future, n)
	for i := range futures {
		futures[i] = workflow.ExecuteActivity(ctx, activity)
	}
	total := 0
	for _, f := range futures {
		var v int
		if err := f.Get(ctx, &v); err != nil {
			return 0, err
		}
		total += v
	}
	var sum int
	err := workflow.ExecuteActivity(ctx, "hand_sum", total).Get(ctx, &sum)
	return sum, err
}

// HandChain is W1 written by hand: 200 sequential activities.
func HandChain(ctx workflow.Context) (int, error) { return sequence(ctx, 200) }

// HandFanOut is W2 written by hand: 100 concurrent activities, then one more.
func HandFanOut(ctx workflow.Context) (int, error) { return fanOut(ctx, "hand_sleep", 100) }

// HandDynamicFanOut is W3 written by hand: one activity decides the width,
// then 1,000 concurrent activities, then an aggregate.
func HandDynamicFanOut(ctx workflow.Context) (int, error) {
	var width int
	if err := workflow.ExecuteActivity(activityCtx(ctx), "hand_noop").Get(ctx, &width); err != nil {
		return 0, err
	}
	return fanOut(ctx, "hand_noop", 1000*width)
}

// HandLoop is W4 written by hand: 1,000 sequential activities.
func HandLoop(ctx workflow.Context) (int, error) { return sequence(ctx, 1000) }

// HandMergeFanOut is W6 written by hand: 1,000 concurrent activities whose
// values the workflow appends to a list and adds to a sum.
func HandMergeFanOut(ctx workflow.Context) (int, error) {
	ctx = activityCtx(ctx)
	var width int
	if err := workflow.ExecuteActivity(ctx, "hand_noop").Get(ctx, &width); err != nil {
		return 0, err
	}
	futures := make([]workflow.Future, 1000*width)
	for i := range futures {
		futures[i] = workflow.ExecuteActivity(ctx, "hand_merge", i)
	}
	var items []int
	sum := 0
	for _, f := range futures {
		var v int
		if err := f.Get(ctx, &v); err != nil {
			return 0, err
		}
		items = append(items, v)
		sum += 1 + v
	}
	var out int
	err := workflow.ExecuteActivity(ctx, "hand_sum", len(items)+sum).Get(ctx, &out)
	return out, err
}

// HandBigChain is W7 written by hand: the workflow holds the 1 MB of
// documents it was started with and runs 100 sequential activities.
func HandBigChain(ctx workflow.Context, _ map[string]any) (int, error) { return sequence(ctx, 100) }
