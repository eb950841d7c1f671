package conformance

import (
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// Tasks of the dynamic control-flow scenarios (issue 3): a spawner that
// builds a parallel group at run time and the members it spawns. Every
// task name starts with "c_dy_".

// DyMemberIn configures one DyMember run.
type DyMemberIn struct {
	N int `json:"n"`
	// Action is what the member does besides its writes: "" (nothing),
	// "terminate", "cancel" or "fail".
	Action string `json:"action"`
}

// DyMember appends its id to "log" and n to "items", adds n to "total",
// records the workflow id it ran in under "wfid_<id>" and returns n; then
// it does its Action: TerminateWorkflow("terminated by <id>"),
// CancelWorkflow("canceled by <id>") or fails with "<id> failed".
var DyMember = graflow.NewTask("c_dy_member", func(ctx *graflow.TaskContext, in DyMemberIn) (int, error) {
	ch := ctx.Channel()
	if _, err := ch.Append("log", ctx.TaskID()); err != nil {
		return 0, err
	}
	if _, err := ch.Append("items", in.N); err != nil {
		return 0, err
	}
	if _, err := ch.Add("total", float64(in.N)); err != nil {
		return 0, err
	}
	if err := ch.Set("wfid_"+ctx.TaskID(), ctx.WorkflowID()); err != nil {
		return 0, err
	}
	switch in.Action {
	case "terminate":
		ctx.TerminateWorkflow("terminated by " + ctx.TaskID())
	case "cancel":
		ctx.CancelWorkflow("canceled by " + ctx.TaskID())
	case "fail":
		return 0, fmt.Errorf("%s failed", ctx.TaskID())
	}
	return in.N, nil
})

// DyNest appends its id to "log" and spawns the dynamic group
// "inner" = <id>_a | <id>_b of DyMember, <id>_b doing the bound Action.
var DyNest = graflow.NewTask("c_dy_nest", func(ctx *graflow.TaskContext, in DyMemberIn) (string, error) {
	if _, err := ctx.Channel().Append("log", ctx.TaskID()); err != nil {
		return "", err
	}
	g := graflow.Parallel(
		DyMember.Instance(ctx.TaskID()+"_a", graflow.Params{"n": 1000}),
		DyMember.Instance(ctx.TaskID()+"_b", graflow.Params{"n": 1001, "action": in.Action}),
	).Named("inner")
	if in.Action != "terminate" {
		g = g.WithPolicy(graflow.BestEffort())
	}
	return "nested", ctx.NextTask(g)
})

// DySpawnIn configures DySpawn.
type DySpawnIn struct {
	// Width is the number of members m0..m<width-1>.
	Width int `json:"width"`
	// Victim is the index of the member that does Action (-1: none). With
	// Nest, the victim is a DyNest whose inner member does it.
	Victim int    `json:"victim"`
	Action string `json:"action"`
	Nest   bool   `json:"nest"`
	// Group names the group ("" = auto-named); Policy "best_effort" sets
	// that policy (default strict).
	Group  string `json:"group"`
	Policy string `json:"policy"`
}

// DySpawn appends its id to "log" and queues the group of DyMember
// instances described by its input with NextTask; it returns "spawned".
var DySpawn = graflow.NewTask("c_dy_spawn", func(ctx *graflow.TaskContext, in DySpawnIn) (string, error) {
	if _, err := ctx.Channel().Append("log", ctx.TaskID()); err != nil {
		return "", err
	}
	if in.Width < 2 {
		return "", fmt.Errorf("width %d: a group needs two members", in.Width)
	}
	nodes := make([]graflow.Node, in.Width)
	for i := range nodes {
		id := fmt.Sprintf("m%d", i)
		switch {
		case i == in.Victim && in.Nest:
			nodes[i] = DyNest.Instance(id, graflow.Params{"action": in.Action})
		case i == in.Victim:
			nodes[i] = DyMember.Instance(id, graflow.Params{"n": i, "action": in.Action})
		default:
			nodes[i] = DyMember.Instance(id, graflow.Params{"n": i})
		}
	}
	g := graflow.Parallel(nodes[0], nodes[1], nodes[2:]...)
	if in.Group != "" {
		g = g.Named(in.Group)
	}
	if in.Policy == "best_effort" {
		g = g.WithPolicy(graflow.BestEffort())
	}
	return "spawned", ctx.NextTask(g)
})

// DySpawnReaders sets "spawner_key" and queues a group of Reader instances
// r0..r<width-1>: even ones read "seed", odd ones "spawner_key", each by an
// undeclared Channel().Raw, i.e. fetched on demand from the child run.
var DySpawnReaders = graflow.NewTask("c_dy_spawn_readers", func(ctx *graflow.TaskContext, in struct {
	Width int `json:"width"`
}) (string, error) {
	if err := ctx.Channel().Set("spawner_key", "from spawner"); err != nil {
		return "", err
	}
	if in.Width < 2 {
		return "", fmt.Errorf("width %d: a group needs two members", in.Width)
	}
	nodes := make([]graflow.Node, in.Width)
	for i := range nodes {
		key := "seed"
		if i%2 == 1 {
			key = "spawner_key"
		}
		nodes[i] = Reader.Instance(fmt.Sprintf("r%d", i), graflow.Params{"key": key})
	}
	return "spawned", ctx.NextTask(graflow.Parallel(nodes[0], nodes[1], nodes[2:]...).Named("readers"))
})
