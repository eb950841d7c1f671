package temporal

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
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
	// maxLearnedKeys bounds the keys remembered per task name.
	maxLearnedKeys = 32
)

// channelView sets in's view of the channel of s: with InlineChannel or for
// a local task the whole channel; else the declared reads, the keys this task name read on
// demand before (learned), and the smallest other values within
// ChannelViewBytes (none over ChannelViewValueBytes). Keys left out are named (Omitted) while their names fit
// the same budget, so that the task knows every key without asking.
func (r *run) channelView(s *scope, task string, opts graflow.TaskOptions, in *activities.Input) {
	entries := s.ch.Entries()
	in.Reads, in.Absent, in.Omitted, in.Complete, in.KeysKnown, in.ResultsUnknown = nil, nil, nil, false, false, false
	if r.spec.InlineChannel || opts.IsLocal() {
		// A local task's input never reaches the server, and a workflow
		// busy running it could not answer a Query: it gets everything.
		in.Reads, in.Complete = entries, true
		return
	}
	view := map[string]graflow.ChannelEntry{}
	for _, k := range opts.Reads {
		if e, ok := entries[k]; ok {
			view[k] = e
		} else {
			in.Absent = append(in.Absent, k)
		}
	}
	budget := ChannelViewBytes
	take := func(k string) bool {
		e, ok := entries[k]
		if _, seen := view[k]; !ok || seen {
			return true
		}
		if n := len(k) + len(e.Value); n <= budget {
			view[k], budget = e, budget-n
			return true
		}
		return false
	}
	for _, k := range r.learned[task] {
		take(k)
	}
	// Task results reach a task as its parameters: they travel unasked
	// neither by value nor by name (a chain's would grow with its length).
	rest := make([]string, 0, len(entries))
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		if _, ok := view[k]; ok {
			continue
		}
		if strings.HasSuffix(k, ".__result__") {
			in.ResultsUnknown = true
			continue
		}
		rest = append(rest, k)
	}
	slices.SortStableFunc(rest, func(a, b string) int { return cmp.Compare(len(a)+len(entries[a].Value), len(b)+len(entries[b].Value)) })
	cut := len(rest)
	for i, k := range rest {
		if len(entries[k].Value) > ChannelViewValueBytes || !take(k) {
			cut = i
			break
		}
	}
	rest = rest[cut:]
	in.Reads = view
	if len(rest) == 0 && !in.ResultsUnknown {
		in.Complete = true
		return
	}
	names := 0
	for _, k := range rest {
		names += len(k) + 3
	}
	if names <= ChannelViewBytes {
		in.KeysKnown, in.Omitted = true, slices.Sorted(slices.Values(rest))
	}
}

// learn remembers the keys a task name read on demand, for its next runs.
func (r *run) learn(task string, fetched []string) {
	if len(fetched) == 0 {
		return
	}
	known := r.learned[task]
	for _, k := range fetched {
		if !slices.Contains(known, k) && len(known) < maxLearnedKeys {
			known = append(known, k)
		}
	}
	r.learned[task] = known
}
