package graflow

import (
	"fmt"
	"reflect"
	"strings"
)

// Node is anything that can be placed in a workflow graph: a *Task (its id is
// its name), an *Instance, a chain built by Chain, or a *Group built by
// Parallel. String returns the node's Graflow expression, which ParseFlow
// reads back.
type Node interface {
	String() string
	// build adds the node to b and returns the ids an incoming edge targets
	// and an outgoing edge leaves from.
	build(b *builder) (entry, exit string)
}

// Instance is a task bound to an id and parameters (Graflow's
// task(task_id=..., **kwargs)).
type Instance struct {
	id     string
	task   string
	info   *taskInfo
	err    error
	params Params
}

// ID returns the instance id.
func (i *Instance) ID() string { return i.id }

// Task returns the name of the task the instance runs.
func (i *Instance) Task() string { return i.task }

// Params returns the bound parameters.
func (i *Instance) Params() Params { return i.params }

// String returns the instance id.
func (i *Instance) String() string { return i.id }

func (i *Instance) build(b *builder) (string, string) {
	b.task(i.id, i.task, i.info, i.err, i.params)
	return i.id, i.id
}

// isNilNode reports a missing node: a nil interface or a nil pointer in one.
func isNilNode(n Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// nodeString prints n, or "<nil>" for a missing node.
func nodeString(n Node) string {
	if isNilNode(n) {
		return "<nil>"
	}
	return n.String()
}

// buildNode adds n to b; a missing node is reported as a problem and gives
// empty ids.
func buildNode(b *builder, n Node) (entry, exit string) {
	if isNilNode(n) {
		b.problem(fmt.Errorf("%w: nil node added", ErrInvalidGraph))
		return "", ""
	}
	return n.build(b)
}

type chain struct{ nodes []Node }

// Chain runs nodes one after another: Chain(a, b, c) is Graflow's a >> b >> c.
// An edge goes from the exit of each node to the entry of the next; a chain
// enters at its first node and exits at its last.
func Chain(first Node, rest ...Node) Node {
	c := &chain{}
	for _, n := range append([]Node{first}, rest...) {
		if inner, ok := n.(*chain); ok && inner != nil {
			c.nodes = append(c.nodes, inner.nodes...)
		} else {
			c.nodes = append(c.nodes, n)
		}
	}
	if len(c.nodes) == 1 {
		return c.nodes[0]
	}
	return c
}

// String prints the members joined by " >> "; an unnamed group member is
// parenthesized, since "|" binds looser than ">>".
func (c *chain) String() string {
	parts := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		parts[i] = nodeString(n)
		if g, ok := n.(*Group); ok && g != nil && g.name == "" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " >> ")
}

func (c *chain) build(b *builder) (string, string) {
	var entry, exit string
	for i, n := range c.nodes {
		en, ex := buildNode(b, n)
		if i == 0 {
			entry = en
		} else if exit != "" && en != "" {
			b.edge(exit, en)
		}
		exit = ex
	}
	return entry, exit
}
