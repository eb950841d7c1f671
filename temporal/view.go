package temporal

import (
	"cmp"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
)

// Bounds of the channel view a task is sent (see channelView).
const (
	// ChannelViewBytes is how many bytes of channel values (key names
	// included) a task is sent beyond the keys it declared with
	// graflow.WithReads: the keys the task's name read on demand before
	// come first, then the smallest values up to ChannelViewValueBytes
	// each. The rest travel by name only and are read on demand, so the
	// history bytes a task costs do not grow with the channel.
	ChannelViewBytes = 16 << 10
	// ChannelViewValueBytes is the largest value a task is sent unasked:
	// a larger one travels only when declared or read before.
	ChannelViewValueBytes = 1 << 10
)

// channelView is the view of the channel of s that a run of task is sent:
// with InlineChannel or for a local task the whole channel; else the
// declared reads, the keys this task name read on demand before (learned),
// and the smallest other values of at most ChannelViewValueBytes within
// ChannelViewBytes. Task results are left out (they reach a task as its
// parameters; a chain's would grow with its length). Keys left out are
// named (Omitted) while their names fit the same budget, so that the task
// knows every key without asking.
func (r *run) channelView(s *scope, task string, opts wire.TaskOptions) wire.ChannelView {
	entries := engine.Entries(s.ch)
	if r.spec.InlineChannel || opts.IsLocal() {
		// A local task's input never reaches the server, and a workflow
		// busy running it could not answer a Query: it gets everything.
		return wire.ChannelView{Reads: entries, Complete: true}
	}
	v := wire.ChannelView{Reads: map[string]wire.ChannelEntry{}}
	for _, k := range opts.Reads {
		if e, ok := entries[k]; ok {
			v.Reads[k] = e
		} else {
			v.Absent = append(v.Absent, k)
		}
	}
	budget := r.limits.viewBytes
	send := func(k string) bool {
		n := len(k) + len(entries[k].Value)
		if n > budget {
			return false
		}
		v.Reads[k], budget = entries[k], budget-n
		return true
	}
	for _, k := range r.learned[task] {
		_, sent := v.Reads[k]
		if _, ok := entries[k]; ok && !sent {
			send(k)
		}
	}
	var small, omitted []string
	for k, e := range entries { // sorted below
		if _, sent := v.Reads[k]; sent {
			continue
		}
		switch {
		case engine.IsResultKey(k):
			v.ResultsUnknown = true
		case len(e.Value) > r.limits.viewValueBytes:
			omitted = append(omitted, k)
		default:
			small = append(small, k)
		}
	}
	size := func(k string) int { return len(k) + len(entries[k].Value) }
	slices.SortFunc(small, func(a, b string) int { return cmp.Or(cmp.Compare(size(a), size(b)), strings.Compare(a, b)) })
	for i, k := range small {
		if !send(k) {
			omitted = append(omitted, small[i:]...)
			break
		}
	}
	if len(omitted) == 0 && !v.ResultsUnknown {
		v.Complete = true
		return v
	}
	names := 0
	for _, k := range omitted {
		names += len(k) + 3
	}
	if names <= r.limits.viewBytes {
		slices.Sort(omitted)
		v.KeysKnown, v.Omitted = true, omitted
	}
	return v
}

// learn remembers the keys a task name read on demand, for its next runs.
func (r *run) learn(task string, fetched []string) {
	if len(fetched) == 0 {
		return
	}
	known := r.learned[task]
	for _, k := range fetched {
		if !slices.Contains(known, k) && len(known) < r.limits.learnedKeys {
			known = append(known, k)
		}
	}
	r.learned[task] = known
}
