package temporal

import (
	"encoding/json"
	"slices"

	"github.com/graflow-go/graflow/graflow"
)

// scope is one queue of work with its own channel: the run itself (id "")
// or a branch of a parallel group (id "<parent>/<group>/<member>").
type scope struct {
	id      string
	ch      *graflow.Channel
	queue   []string
	running string
	waiting []string
	arrived map[string]map[string]bool
	last    json.RawMessage
}

func newScope(id string, ch *graflow.Channel, start string) *scope {
	return &scope{id: id, ch: ch, queue: []string{start}, arrived: map[string]map[string]bool{}, last: json.RawMessage("null")}
}

func branchScopeID(parent, group, member string) string {
	if parent == "" {
		return group + "/" + member
	}
	return parent + "/" + group + "/" + member
}

// finished queues the successors of id. A back edge re-triggers its target
// at once; a forward edge counts as an arrival at a join, which runs when
// every forward predecessor has arrived or can no longer run in this scope.
func (s *scope) finished(g *graph, id string) {
	for _, to := range g.succ[id] {
		if g.back[[2]string{id, to}] {
			s.queue = append(s.queue, to)
			continue
		}
		if s.arrived[to] == nil {
			s.arrived[to] = map[string]bool{}
		}
		s.arrived[to][id] = true
		if !slices.Contains(s.waiting, to) {
			s.waiting = append(s.waiting, to)
		}
	}
	s.release(g)
}

// release moves every waiting join whose missing predecessors can no longer
// run to the queue, in the order the joins started waiting.
func (s *scope) release(g *graph) {
	if len(s.waiting) == 0 {
		return
	}
	roots := append(slices.Clone(s.queue), s.waiting...)
	if s.running != "" {
		roots = append(roots, s.running)
	}
	live := g.reachable(roots)
	kept := s.waiting[:0]
	for _, id := range s.waiting {
		ready := true
		for _, p := range g.fwdPred[id] {
			if !s.arrived[id][p] && live[p] {
				ready = false
				break
			}
		}
		if ready {
			s.queue = append(s.queue, id)
			delete(s.arrived, id)
		} else {
			kept = append(kept, id)
		}
	}
	s.waiting = kept
}
