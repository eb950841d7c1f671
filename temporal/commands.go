package temporal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// runStop is why a whole run ends before its queue does: a task called
// TerminateWorkflow (the run completes with value) or CancelWorkflow (the
// run fails with cancel), here or in a child run. Every scope stops at
// once; halt sets it.
type runStop struct {
	taskID string
	value  json.RawMessage
	cancel *graflow.WorkflowCanceledError
	// ops are the writes of the branch scopes from the run's root down to
	// the terminating task, outermost first: no group merges them, since
	// the groups stop too.
	ops []wire.ChannelOp
}

// apply carries out a task's commands in s, in order. It reports whether the
// task's successors must wait (a goto, a jump or another iteration); a
// terminate or cancel halts the run.
func (r *run) apply(s *scope, node *wire.NodeSpec, value json.RawMessage, cmds []wire.Command) (bool, error) {
	skip := false
	for _, c := range cmds {
		switch c.Kind {
		case wire.CommandTerminate:
			if c.Result != nil {
				value = c.Result
			}
			r.halt(&runStop{taskID: node.ID, value: value}, s.id)
			return true, nil
		case wire.CommandCancel:
			r.halt(&runStop{taskID: node.ID, cancel: &graflow.WorkflowCanceledError{TaskID: node.ID, Reason: c.Reason}}, s.id)
			return true, nil
		case wire.CommandIterate:
			s.queue = append(s.queue, wire.Queued{ID: node.ID, Params: c.Params})
			skip = true
		case wire.CommandCheckpoint:
			// taken by settle once the successors are queued
		case wire.CommandNext, wire.CommandGoto:
			entry, existed, ids := r.merge(c)
			if s.closure != nil {
				for _, id := range append(ids, entry) {
					s.closure[id] = true
				}
			}
			s.enqueue(entry)
			skip = skip || existed || c.Kind == wire.CommandGoto
		default:
			return true, fmt.Errorf("graflow: task %q sent an unknown command %q", node.ID, c.Kind)
		}
	}
	return skip, nil
}

// merge adds the nodes and edges a NextTask or Goto brought to the run's
// graph. Nodes whose id the graph already has are kept as they are (one id
// is one node); unnamed groups get fresh ids; new groups are dynamic. It
// returns the id to run, whether it was already in the graph (a jump) and
// the ids of all the nodes the command named (new or not).
func (r *run) merge(c wire.Command) (entry string, existed bool, ids []string) {
	rename := map[string]string{}
	for _, id := range c.AutoGroups {
		for {
			r.nextAuto++
			fresh := "ParallelGroup_" + strconv.Itoa(r.nextAuto)
			if _, taken := r.g.nodes[fresh]; !taken {
				rename[id] = fresh
				break
			}
		}
	}
	name := func(id string) string {
		if n, ok := rename[id]; ok {
			return n
		}
		return id
	}
	entry = name(c.Entry)
	_, existed = r.g.nodes[entry]
	var nodes []wire.NodeSpec
	for _, n := range c.Nodes {
		n.ID = name(n.ID)
		ids = append(ids, n.ID)
		if _, ok := r.g.nodes[n.ID]; ok {
			continue
		}
		if n.Task == "" {
			n.Dynamic = true
			n.Members = slices.Clone(n.Members)
			for i, m := range n.Members {
				n.Members[i] = name(m)
			}
		}
		nodes = append(nodes, n)
	}
	var edges [][2]string
	for _, e := range c.Edges {
		e = [2]string{name(e[0]), name(e[1])}
		if !slices.Contains(r.g.succ[e[0]], e[1]) {
			edges = append(edges, e)
		}
	}
	r.spec.Nodes = append(r.spec.Nodes, nodes...)
	r.spec.Edges = append(r.spec.Edges, edges...)
	r.g.add(nodes, edges)
	return entry, existed, ids
}

// childID names a child run of group, spawned in scope of workflow parent:
// <parent>/<group>/<member> (or batch-<n>), with the scope's path between
// parent and group when the group runs inside a branch.
func childID(parent, scope, group string, members []string, batch int) string {
	prefix := parent
	if scope != "" {
		prefix += "/" + scope
	}
	if len(members) == 1 {
		return strings.Join([]string{prefix, group, members[0]}, "/")
	}
	return fmt.Sprintf("%s/%s/batch-%d", prefix, group, batch)
}
