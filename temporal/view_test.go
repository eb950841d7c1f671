package temporal

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
)

func channelOf(values map[string]string) *scope {
	entries := map[string]wire.ChannelEntry{}
	for k, v := range values {
		entries[k] = wire.ChannelEntry{Value: json.RawMessage(v)}
	}
	return &scope{ch: engine.NewChannel(entries, engine.ChannelOptions{})}
}

func TestChannelView(t *testing.T) {
	big := `"` + strings.Repeat("x", ChannelViewBytes) + `"`
	mid := `"` + strings.Repeat("m", ChannelViewValueBytes) + `"`
	tests := []struct {
		name     string
		channel  map[string]string
		reads    []string
		learned  []string
		inline   bool
		sent     []string
		omitted  []string
		absent   []string
		complete bool
	}{
		{"a value over the per-value cap is not sent unasked", map[string]string{"a": "1", "mid": mid}, nil, nil, false, []string{"a"}, []string{"mid"}, nil, false},
		{"a small channel travels whole", map[string]string{"a": "1", "b": `"two"`}, nil, nil, false, []string{"a", "b"}, nil, nil, true},
		{"a big value travels by name", map[string]string{"a": "1", "big": big}, nil, nil, false, []string{"a"}, []string{"big"}, nil, false},
		{"a declared read is sent whatever its size", map[string]string{"a": "1", "big": big}, []string{"big", "none"}, nil, false, []string{"a", "big"}, nil, []string{"none"}, true},
		{"a learned key comes before smaller ones", map[string]string{"a": "1", "mid": `"` + strings.Repeat("m", ChannelViewBytes-6) + `"`}, nil, []string{"mid"}, false, []string{"mid"}, []string{"a"}, nil, false},
		{"a learned key too big for the budget is not sent", map[string]string{"a": "1", "big": big}, nil, []string{"big"}, false, []string{"a"}, []string{"big"}, nil, false},
		{"results travel neither by value nor by name", map[string]string{"a": "1", "t1.__result__": "2"}, nil, nil, false, []string{"a"}, nil, nil, false},
		{"a learned result is sent", map[string]string{"a": "1", "t1.__result__": "2"}, nil, []string{"t1.__result__"}, false, []string{"a", "t1.__result__"}, nil, nil, true},
		{"InlineChannel sends everything", map[string]string{"a": "1", "big": big}, nil, nil, true, []string{"a", "big"}, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{spec: &wire.Spec{InlineChannel: tc.inline}, learned: map[string][]string{"t": tc.learned}, limits: limitsByVersion[currentInterpreter]}
			var in wire.Input
			in.ChannelView = r.channelView(channelOf(tc.channel), "t", wire.TaskOptions{Reads: tc.reads})
			var sent []string
			for k := range in.Reads {
				sent = append(sent, k)
			}
			assert.ElementsMatch(t, tc.sent, sent)
			assert.Equal(t, tc.omitted, in.Omitted)
			assert.Equal(t, tc.absent, in.Absent)
			assert.Equal(t, tc.complete, in.Complete)
			assert.Equal(t, !tc.complete, in.KeysKnown)
		})
	}
}

// The bytes a task is sent stay within the budget however large the
// channel grows, and the names of many keys stop travelling past it.
func TestChannelViewIsBounded(t *testing.T) {
	values := map[string]string{}
	for i := range 5000 {
		values[fmt.Sprintf("key-%05d", i)] = `"` + strings.Repeat("v", 200) + `"`
	}
	r := &run{spec: &wire.Spec{}, learned: map[string][]string{}, limits: limitsByVersion[currentInterpreter]}
	var in wire.Input
	in.ChannelView = r.channelView(channelOf(values), "t", wire.TaskOptions{})
	size := 0
	for k, e := range in.Reads {
		size += len(k) + len(e.Value)
	}
	assert.LessOrEqual(t, size, ChannelViewBytes)
	assert.False(t, in.KeysKnown, "5,000 names are over the budget: the key list is asked for when needed")
	assert.Nil(t, in.Omitted)
}

func TestLearnIsBounded(t *testing.T) {
	r := &run{learned: map[string][]string{}, limits: limitsByVersion[currentInterpreter]}
	for i := range 100 {
		r.learn("t", []string{fmt.Sprint(i), "0"})
	}
	assert.Len(t, r.learned["t"], r.limits.learnedKeys)
	assert.Equal(t, "0", r.learned["t"][0])
}
