package examples

import (
	"fmt"
	"math"

	"github.com/graflow-go/graflow/graflow"
)

// Graflow's loop patterns: an agent/tool cycle ended by TerminateWorkflow,
// and an optimizer iterating with NextIteration until it converges, within
// WithMaxCycles(20). The tool call and the optimizer step are short: they
// run as local activities (WithLocal); the agent, which would call a model,
// stays a regular activity.

var agent = graflow.NewTask("agent", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	var calls []string
	if ctx.Channel().Has("tool_calls") {
		if err := ctx.Channel().Get("tool_calls", &calls); err != nil {
			return "", err
		}
	}
	if ctx.Cycle() == 3 {
		answer := fmt.Sprintf("answer after %d tool calls (%v)", len(calls), calls)
		ctx.TerminateWorkflow(answer)
		return answer, nil
	}
	return fmt.Sprintf("thinking (cycle %d)", ctx.Cycle()), nil
})

var tool = graflow.NewTask("tool", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	call := fmt.Sprintf("search#%d", ctx.Cycle())
	_, err := ctx.Channel().Append("tool_calls", call)
	return call, err
}, graflow.WithLocal())

var optimize = graflow.NewTask("optimize", func(ctx *graflow.TaskContext, in struct {
	X      float64 `json:"x"`
	Target float64 `json:"target"`
}) (string, error) {
	next := in.X + (in.Target-in.X)/2
	if math.Abs(in.Target-next) > 0.001 && ctx.CanIterate() {
		return "", ctx.NextIteration(graflow.Params{"x": next})
	}
	return fmt.Sprintf("converged to %.3f after %d iterations", next, ctx.Cycle()), nil
}, graflow.WithMaxCycles(20), graflow.WithLocal())

func init() {
	register(Example{
		Name:        "agent_loop",
		Description: "static cycle agent >> tool >> agent, ended by TerminateWorkflow on the agent's third turn",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("agent_loop")
			wf.Add(graflow.Chain(agent, tool, agent))
			return wf
		},
		Options: []graflow.ExecuteOption{graflow.Start("agent")},
		Output:  "answer after 2 tool calls ([search#1 search#2])",
		Format:  valueAs[string]("%s"),
	})
	register(Example{
		Name:        "optimizer",
		Description: "NextIteration loop converging within WithMaxCycles(20)",
		Workflow: func() *graflow.Workflow {
			wf := graflow.NewWorkflow("optimizer")
			wf.Add(optimize.Instance("optimize", graflow.Params{"target": 1.0}))
			return wf
		},
		Output: "converged to 0.999 after 10 iterations",
		Format: valueAs[string]("%s"),
	})
}
