package conformance

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/graflow-go/graflow/graflow"
)

// TaskQueue is the queue the conformance worker polls.
const TaskQueue = "conformance"

// Step appends its id to the channel list "log" and returns its id, or the
// bound "ret" value when one is given.
var Step = graflow.NewTask("c_step", func(ctx *graflow.TaskContext, in struct {
	Ret any `json:"ret"`
}) (any, error) {
	if _, err := ctx.Channel().Append("log", ctx.TaskID()); err != nil {
		return nil, err
	}
	if in.Ret != nil {
		return in.Ret, nil
	}
	return ctx.TaskID(), nil
})

// RemoteStep is Step as a regular activity even in a workflow whose
// tasks default to local (WithoutLocal).
var RemoteStep = graflow.NewTask("c_remote_step", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	_, err := ctx.Channel().Append("log", ctx.TaskID())
	return ctx.TaskID(), err
}, graflow.WithoutLocal())

// Greet returns the name and count it received.
var Greet = graflow.NewTask("c_greet", func(ctx *graflow.TaskContext, in struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}) (string, error) {
	return fmt.Sprintf("%s/%d", in.Name, in.Count), nil
})

// Mult returns value*multiplier.
var Mult = graflow.NewTask("c_mult", func(ctx *graflow.TaskContext, in struct {
	Value      int `json:"value"`
	Multiplier int `json:"multiplier"`
}) (int, error) {
	return in.Value * in.Multiplier, nil
})

// MultBoundOnly is Mult without channel resolution (Graflow's resolve_keyword_args=False).
var MultBoundOnly = graflow.NewTask("c_mult_bound_only", func(ctx *graflow.TaskContext, in struct {
	Value      int `json:"value"`
	Multiplier int `json:"multiplier"`
}) (int, error) {
	return in.Value * in.Multiplier, nil
}, graflow.WithoutChannelResolution())

// Calculate returns base*multiplier+offset.
var Calculate = graflow.NewTask("c_calculate", func(ctx *graflow.TaskContext, in struct {
	Base       int `json:"base"`
	Multiplier int `json:"multiplier"`
	Offset     int `json:"offset"`
}) (int, error) {
	return in.Base*in.Multiplier + in.Offset, nil
})

// EchoRaw returns the JSON it received for "value" ("<absent>" when none).
var EchoRaw = graflow.NewTask("c_echo_raw", func(ctx *graflow.TaskContext, in struct {
	Value json.RawMessage `json:"value"`
}) (string, error) {
	if in.Value == nil {
		return "<absent>", nil
	}
	return string(in.Value), nil
})

// NeedsInt takes an int "value".
var NeedsInt = graflow.NewTask("c_needs_int", func(ctx *graflow.TaskContext, in struct {
	Value int `json:"value"`
}) (int, error) {
	return in.Value, nil
})

// Produce returns {"v": 1}.
var Produce = graflow.NewTask("c_produce", func(ctx *graflow.TaskContext, _ graflow.None) (map[string]int, error) {
	return map[string]int{"v": 1}, nil
})

// Use receives "fetch" (an upstream result when a task "fetch" ran) and "other".
var Use = graflow.NewTask("c_use", func(ctx *graflow.TaskContext, in struct {
	Fetch json.RawMessage `json:"fetch"`
	Other string          `json:"other"`
}) (string, error) {
	return fmt.Sprintf("fetch=%s other=%s", in.Fetch, in.Other), nil
})

// Nothing returns no value.
var Nothing = graflow.NewTask("c_nothing", func(ctx *graflow.TaskContext, _ graflow.None) (graflow.None, error) {
	return graflow.None{}, nil
})

// Fail always fails with "kaboom".
var Fail = graflow.NewTask("c_fail", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	return "", errors.New("kaboom")
})

// Writer sets the bound key to the bound value, and appends its id to "shared".
var Writer = graflow.NewTask("c_writer", func(ctx *graflow.TaskContext, in struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}) (string, error) {
	if err := ctx.Channel().Set(in.Key, in.Value); err != nil {
		return "", err
	}
	if _, err := ctx.Channel().Append("shared", ctx.TaskID()); err != nil {
		return "", err
	}
	_, err := ctx.Channel().Add("counter", 1)
	return ctx.TaskID(), err
})

// Reader returns the value of the bound key as the task sees it, or "<absent>".
var Reader = graflow.NewTask("c_reader", func(ctx *graflow.TaskContext, in struct {
	Key string `json:"key"`
}) (string, error) {
	raw, ok := ctx.Channel().Raw(in.Key)
	if !ok {
		return "<absent>", nil
	}
	return string(raw), nil
})

// Jump jumps with Goto to the node To of the run's graph (a Step instance),
// skipping its own successors.
var Jump = graflow.NewTask("c_jump", func(ctx *graflow.TaskContext, in struct {
	To string `json:"to"`
}) (string, error) {
	return ctx.TaskID(), ctx.Goto(Step.Instance(in.To, nil))
})
