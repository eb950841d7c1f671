package conformance

import "github.com/graflow-go/graflow/graflow"

// AppendTo appends 1 to the channel key Key and, like a careless user,
// ignores the error.
var AppendTo = graflow.NewTask("c_append_to", func(ctx *graflow.TaskContext, in struct {
	Key string `json:"key"`
}) (graflow.None, error) {
	ctx.Channel().Append(in.Key, 1)
	return graflow.None{}, nil
})
