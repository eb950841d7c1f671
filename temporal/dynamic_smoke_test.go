package temporal_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

func TestDynamicSmoke(t *testing.T) {
	reg := graflow.NewRegistry()
	rec := &runLog{}
	//lint:ignore S1021 the task's body refers to the variable itself
	var worker *graflow.Task[struct {
		N int `json:"n"`
	}, int]
	worker = graflow.NewTask("worker", func(ctx *graflow.TaskContext, in struct {
		N int `json:"n"`
	}) (int, error) {
		rec.add(ctx.TaskID())
		_, err := ctx.Channel().Add("total", float64(in.N))
		return in.N, err
	}, graflow.WithRegistry(reg))
	fan := graflow.NewTask("fan", func(ctx *graflow.TaskContext, in struct {
		Width int `json:"width"`
	}) (string, error) {
		rec.add("fan")
		nodes := make([]graflow.Node, in.Width)
		for i := range nodes {
			nodes[i] = worker.Instance(fmt.Sprintf("w%d", i), graflow.Params{"n": i})
		}
		return "fanned", ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...))
	}, graflow.WithRegistry(reg))
	after := graflow.NewTask("after", func(ctx *graflow.TaskContext, in struct {
		Total float64 `json:"total"`
	}) (float64, error) {
		rec.add("after")
		return in.Total, nil
	}, graflow.WithRegistry(reg))

	for _, width := range []int{3, 60} {
		rec.log = nil
		wf := graflow.NewWorkflow("dyn")
		wf.Add(graflow.Chain(fan.Instance("fan", graflow.Params{"width": width}), after))
		res, err := wf.Execute(context.Background(), graflowtest.NewExecutor(reg))
		require.NoError(t, err)
		var total float64
		require.NoError(t, res.Value(&total))
		require.Equal(t, float64(width*(width-1)/2), total)
		require.Len(t, rec.log, width+2)
		require.Equal(t, "after", rec.log[len(rec.log)-1])
	}
}
