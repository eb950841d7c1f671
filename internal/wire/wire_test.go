package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/internal/testutil"
	"github.com/graflow-go/graflow/internal/wire"
)

// TestFormat pins the JSON of every wire type: a change to it shows here
// and must be deliberate (see the package doc and Version).
func TestFormat(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	yes := true
	entry := wire.ChannelEntry{Value: json.RawMessage(`"v"`), Expires: 42}
	op := wire.ChannelOp{Op: wire.OpAppend, Key: "k", Value: json.RawMessage(`1`), TTL: time.Second, Delta: 0.5}
	opts := wire.TaskOptions{MaxRetries: 2, RetryPolicy: &wire.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
		Timeout: time.Hour, HeartbeatTimeout: time.Minute, MaxCycles: 3, TaskQueue: "q", NoChannelResolution: true, Reads: []string{"r"}, Local: &yes}
	node := wire.NodeSpec{ID: "n", Task: "t", Params: map[string]json.RawMessage{"p": json.RawMessage(`1`)}, Inputs: []string{"p"}, Options: opts,
		Members: []string{"a"}, Policy: &wire.Policy{Type: "critical", MinSuccess: 1, Critical: []string{"a"}}, Dynamic: true}
	req := wire.FeedbackRequest{ID: "r", Type: "selection", Message: "m", Options: []string{"x"}, Timeout: time.Minute, ChannelKey: "c",
		Metadata: map[string]any{"m": 1}, Approvers: []string{"ann"}}
	resp := wire.FeedbackResponse{RequestID: "r", Approved: true, Reason: "why", Value: "x", Values: []string{"x"}, Data: map[string]any{"d": 1},
		RespondedBy: "ann", RespondedAt: at}
	cmd := wire.Command{Kind: wire.CommandNext, Entry: "n", Nodes: []wire.NodeSpec{node}, Edges: [][2]string{{"a", "b"}}, AutoGroups: []string{"g"},
		Params: map[string]json.RawMessage{"p": json.RawMessage(`2`)}, Result: json.RawMessage(`3`), Reason: "r", Metadata: json.RawMessage(`{}`)}
	early := wire.EarlyAnswer{RequestID: "r", Answer: json.RawMessage(`{}`), At: at}
	feedback := wire.FeedbackState{
		Requests: []*wire.FeedbackRecord{{Request: req, Tasks: []string{"t"}, Scope: "s", RequestedAt: at, Deadline: at, TimedOut: true, Closed: true,
			Answer: &resp, Rejected: []wire.Rejection{{Answer: json.RawMessage(`{}`), Reason: "no"}}}},
		Early:    []wire.EarlyAnswer{early},
		Children: []wire.ChildAnswer{{Child: "c", EarlyAnswer: early}},
	}
	values := []struct {
		name  string
		value any
	}{
		{"ChannelQueryArgs", wire.ChannelQueryArgs{Scope: "s", Keys: []string{"k"}, AllKeys: true}},
		{"ChannelQueryResult", wire.ChannelQueryResult{Entries: map[string]wire.ChannelEntry{"k": entry}, Keys: []string{"k"}}},
		{"Input", wire.Input{Task: "t", TaskID: "n", Scope: "s", Params: map[string]json.RawMessage{"p": json.RawMessage(`1`)},
			ChannelView: wire.ChannelView{Reads: map[string]wire.ChannelEntry{"k": entry}, Absent: []string{"a"}, Complete: true, KeysKnown: true,
				Omitted: []string{"o"}, ResultsUnknown: true},
			Cycle: 1, MaxCycles: 10, Attempt: 2, Feedback: &wire.FeedbackInput{Answers: map[string]wire.FeedbackResponse{"r": resp}, TimedOut: []string{"q"}}}},
		{"Output", wire.Output{Value: json.RawMessage(`1`), Ops: []wire.ChannelOp{op}, Commands: []wire.Command{cmd}, Suspended: &req, Fetched: []string{"f"}}},
		{"RunInput", wire.RunInput{
			Spec: wire.Spec{Name: "w", Flow: "a >> b", Start: "a", MaxSteps: 10, Nodes: []wire.NodeSpec{node}, Edges: [][2]string{{"a", "b"}},
				Defaults: opts, InlineChannel: true, NoAwaitingAttribute: true},
			Channel: map[string]wire.ChannelEntry{"k": entry},
			Child: &wire.ChildInput{Group: "g", Members: []string{"a"}, Cycles: map[string]int{"a": 1}, Learned: map[string][]string{"t": {"k"}},
				Early: []wire.EarlyAnswer{early}, Forward: []wire.ChildAnswer{{Child: "c", EarlyAnswer: early}}, Interpreter: 1},
			Resume: &wire.RunState{Queue: []wire.Queued{{ID: "a", Params: map[string]json.RawMessage{"p": json.RawMessage(`1`)}}}, Waiting: []string{"w"},
				Arrived: map[string][]string{"j": {"a"}}, Cycles: map[string]int{"a": 1}, Steps: 3, Last: json.RawMessage(`1`), NextAuto: 2,
				ChildOps: []wire.ChannelOp{op}, Feedback: &feedback,
				Checkpoints: []wire.Checkpoint{{ID: "c", TaskID: "t", Metadata: map[string]any{"m": 1}, RunID: "r", EventID: 7}},
				Closure:     []string{"a"}, Escaped: [][2]string{{"a", "j"}}, Learned: map[string][]string{"t": {"k"}}, Interpreter: 1},
		}},
		{"RunOutput", wire.RunOutput{Value: json.RawMessage(`1`), Channel: map[string]wire.ChannelEntry{"k": entry}, ChannelOmitted: true,
			Branches:   []wire.BranchOutcome{{Member: "a", Ops: []wire.ChannelOp{op}, Error: "e", Escaped: [][2]string{{"a", "j"}}}},
			Terminated: &wire.Termination{TaskID: "t", Value: json.RawMessage(`1`), Ops: []wire.ChannelOp{op}}, Cycles: map[string]int{"a": 1}}},
	}
	got := map[string]any{"version": wire.Version}
	for _, v := range values {
		got[v.name] = v.value
	}
	raw, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	testutil.Golden(t, "wire.golden.json", string(raw)+"\n")
}
