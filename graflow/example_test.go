package graflow_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
)

func ExampleNewTask() {
	reg := graflow.NewRegistry() // programs usually leave this out and use DefaultRegistry
	type calcIn struct {
		X int `json:"x"`
		Y int `json:"y"`
	}
	calculate := graflow.NewTask("calculate", func(_ *graflow.TaskContext, in calcIn) (int, error) {
		return in.X + in.Y, nil
	}, graflow.WithRegistry(reg))

	sum, err := calculate.Run(context.Background(), calcIn{X: 5, Y: 3})
	fmt.Println(sum, err)
	fmt.Println(reg.Names())
	// Output:
	// 8 <nil>
	// [calculate]
}

func ExampleChain() {
	reg := graflow.NewRegistry()
	step := func(name string) *graflow.Task[graflow.None, string] {
		return graflow.NewTask(name, func(*graflow.TaskContext, graflow.None) (string, error) { return name, nil },
			graflow.WithRegistry(reg))
	}
	fetch, a, b, c, aggregate := step("fetch"), step("a"), step("b"), step("c"), step("aggregate")

	fmt.Println(graflow.Chain(fetch, graflow.Parallel(a, b, c), aggregate))
	fmt.Println(graflow.Parallel(graflow.Chain(a, b), c))
	fmt.Println(graflow.Chain(graflow.Parallel(a, b).Named("fanout"), c))

	wf := graflow.NewWorkflow("etl")
	wf.Add(graflow.Chain(fetch, graflow.Parallel(a, b, c), aggregate))
	fmt.Println(wf.Validate(), wf)
	// Output:
	// fetch >> (a | b | c) >> aggregate
	// a >> b | c
	// fanout:(a | b) >> c
	// <nil> fetch >> (a | b | c) >> aggregate
}

func ExampleParseFlow() {
	reg := graflow.NewRegistry()
	for _, name := range []string{"fetch", "a", "b", "c", "aggregate"} {
		graflow.NewTask(name, func(*graflow.TaskContext, graflow.None) (string, error) { return name, nil },
			graflow.WithRegistry(reg))
	}

	flow, err := graflow.ParseFlow("fetch>>(a|b|c)>>aggregate", reg)
	fmt.Println(flow, err)

	flow, _ = graflow.ParseFlow("a | b >> c", reg) // >> binds tighter: a | (b >> c)
	fmt.Println(flow)

	_, err = graflow.ParseFlow("fetch >> (a | transform)", reg)
	fmt.Println(err)
	fmt.Println(errors.Is(err, graflow.ErrInvalidGraph), errors.Is(err, graflow.ErrTaskNotRegistered))

	_, err = graflow.ParseFlow("fetch >> (a | b", reg)
	fmt.Println(err)
	// Output:
	// fetch >> (a | b | c) >> aggregate <nil>
	// a | b >> c
	// graflow: invalid graph: flow "fetch >> (a | transform)": column 15: task "transform" is not registered
	// true true
	// graflow: invalid graph: flow "fetch >> (a | b": column 16: missing ')' to close the '(' at column 10, found end of expression
}

func ExampleChannel() {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	_ = ch.Set("user", "alice")
	n, _ := ch.Append("log", "first")
	n, _ = ch.Append("log", "second")
	fmt.Println("log length:", n)
	total, _ := ch.Add("count", 10)
	total, _ = ch.Add("count", -3)
	fmt.Println("count:", total)

	var log []string
	_ = ch.Get("log", &log)
	fmt.Println(log)

	var missing string
	err := ch.Get("missing", &missing)
	fmt.Println(errors.Is(err, graflow.ErrKeyNotFound))

	_, err = ch.Append("user", "x")
	fmt.Println(errors.Is(err, graflow.ErrNotAList))

	scores := graflow.NewListKey[int]("scores")
	_, _ = scores.Append(ch, 90)
	_, _ = scores.Append(ch, 75)
	all, _ := scores.All(ch)
	fmt.Println(all, ch.Keys())
	// Output:
	// log length: 2
	// count: 7
	// [first second]
	// true
	// true
	// [90 75] [count log scores user]
}
