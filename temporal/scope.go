package temporal

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// scope is one queue of work with its own channel: the run itself (id "")
// or a branch of a parallel group (id "<parent>/<group>/<member>").
type scope struct {
	id string
	// start is the node the scope started from: a branch's member.
	start   string
	ch      *graflow.Channel
	queue   []wire.Queued
	running string
	waiting []string
	arrived map[string]map[string]bool
	last    json.RawMessage
	// closure is what a branch runs itself (nil = everything); arrivals at
	// nodes outside it are kept in escaped for the group's scope.
	closure map[string]bool
	escaped [][2]string
	// end is why the scope stopped (driver.go), err its failure.
	end scopeEnd
	err error
}

func newScope(id string, ch *graflow.Channel, start string) *scope {
	return &scope{id: id, start: start, ch: ch, queue: []wire.Queued{{ID: start}}, arrived: map[string]map[string]bool{}, last: json.RawMessage("null")}
}

func branchScopeID(parent, group, member string) string {
	if parent == "" {
		return group + "/" + member
	}
	return parent + "/" + group + "/" + member
}

func (s *scope) enqueue(id string) { s.queue = append(s.queue, wire.Queued{ID: id}) }

// finished queues the successors of id. A back edge re-triggers its target
// at once; a forward edge counts as an arrival at a join, which runs when
// every forward predecessor has arrived or can no longer run in this scope.
func (s *scope) finished(g *graph, id string) {
	for _, to := range g.succ[id] {
		if g.back[[2]string{id, to}] {
			s.enqueue(to)
		} else {
			s.arrive(id, to)
		}
	}
	s.release(g)
}

// arrive records that from finished, for the join at to; a branch hands
// arrivals outside its closure to its group's scope.
func (s *scope) arrive(from, to string) {
	if s.closure != nil && !s.closure[to] {
		s.escaped = append(s.escaped, [2]string{from, to})
		return
	}
	if s.arrived[to] == nil {
		s.arrived[to] = map[string]bool{}
	}
	s.arrived[to][from] = true
	if !slices.Contains(s.waiting, to) {
		s.waiting = append(s.waiting, to)
	}
}

// release moves every waiting join whose missing predecessors can no longer
// run to the queue, in the order the joins started waiting. Reachability
// is computed only when some join still misses a predecessor (a chain's
// nodes, with their one predecessor arrived, never need it).
func (s *scope) release(g *graph) {
	if len(s.waiting) == 0 {
		return
	}
	var live map[string]bool
	kept := make([]string, 0, len(s.waiting)) // s.waiting stays whole for live
	for _, id := range s.waiting {
		ready := true
		for _, p := range g.fwdPred[id] {
			if s.arrived[id][p] {
				continue
			}
			if live == nil {
				live = s.live(g)
			}
			if live[p] {
				ready = false
				break
			}
		}
		if ready {
			s.enqueue(id)
			delete(s.arrived, id)
		} else {
			kept = append(kept, id)
		}
	}
	s.waiting = kept
}

// live returns the nodes that may still run in the scope: those reachable
// from the waiting joins, the queue and the running node.
func (s *scope) live(g *graph) map[string]bool {
	roots := slices.Clone(s.waiting)
	for _, q := range s.queue {
		roots = append(roots, q.ID)
	}
	if s.running != "" {
		roots = append(roots, s.running)
	}
	return g.reachable(roots)
}

// state returns the scope's queue and join state for continue-as-new.
func (s *scope) state(st *wire.RunState) {
	st.Queue, st.Waiting, st.Last, st.Escaped = s.queue, s.waiting, s.last, s.escaped
	if s.closure != nil {
		st.Closure = slices.Sorted(maps.Keys(s.closure))
	}
	st.Arrived = map[string][]string{}
	for _, id := range slices.Sorted(maps.Keys(s.arrived)) {
		st.Arrived[id] = slices.Sorted(maps.Keys(s.arrived[id]))
	}
}

// restore is the inverse of state.
func (s *scope) restore(st *wire.RunState) {
	s.queue, s.waiting, s.escaped = st.Queue, st.Waiting, st.Escaped
	if st.Closure != nil {
		s.closure = map[string]bool{}
		for _, id := range st.Closure {
			s.closure[id] = true
		}
	}
	if st.Last != nil {
		s.last = st.Last
	}
	for id, preds := range st.Arrived {
		s.arrived[id] = map[string]bool{}
		for _, p := range preds {
			s.arrived[id][p] = true
		}
	}
}
