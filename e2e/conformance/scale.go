package conformance

import (
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// ScaleLeaf reads "base" and writes the way users do, declaring nothing and
// ignoring the writes' errors: it adds 1 to "count" and base+i to "sum",
// appends i to "items" and sets "leaf_<i>".
var ScaleLeaf = graflow.NewTask("c_scale_leaf", func(ctx *graflow.TaskContext, in struct {
	I int `json:"i"`
}) (int, error) {
	ch := ctx.Channel()
	var base int
	if err := ch.Get("base", &base); err != nil && !errors.Is(err, graflow.ErrKeyNotFound) {
		return 0, err
	}
	ch.Add("count", 1)
	ch.Add("sum", float64(base+in.I))
	ch.Append("items", in.I)
	ch.Set(fmt.Sprintf("leaf_%05d", in.I), in.I)
	return in.I, nil
})

// ScaleFanOut queues a dynamic group of Width leaves.
var ScaleFanOut = graflow.NewTask("c_scale_fan_out", func(ctx *graflow.TaskContext, in struct {
	Width int `json:"width"`
}) (int, error) {
	leaves := make([]graflow.Node, in.Width)
	for i := range leaves {
		leaves[i] = ScaleLeaf.Instance(fmt.Sprintf("leaf_%05d", i), graflow.Params{"i": i})
	}
	return in.Width, ctx.NextTask(graflow.Parallel(leaves[0], leaves[1], leaves[2:]...).Named("leaves"))
})

// ScaleCount returns the channel's "count".
var ScaleCount = graflow.NewTask("c_scale_count", func(ctx *graflow.TaskContext, in struct {
	Count int `json:"count"`
}) (int, error) {
	return in.Count, nil
})

// ScaleLoop iterates with NextIteration until N reaches Until, adding N to
// "sum" each time.
var ScaleLoop = graflow.NewTask("c_scale_loop", func(ctx *graflow.TaskContext, in struct {
	N     int `json:"n"`
	Until int `json:"until"`
}) (int, error) {
	if _, err := ctx.Channel().Add("sum", float64(in.N)); err != nil {
		return 0, err
	}
	if in.N < in.Until {
		return in.N, ctx.NextIteration(graflow.Params{"n": in.N + 1})
	}
	return in.N, nil
}, graflow.WithMaxCycles(100000))
