package runview

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/internal/flowgraph"
	"github.com/graflow-go/graflow/internal/testutil"
)

// fromRecorded reads a history recorded by the interpreter's replay tests.
func fromRecorded(t *testing.T, name string) *Run {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "temporal", "testdata", "histories", "history-"+name+".json"))
	require.NoError(t, err)
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	require.NoError(t, err)
	r, err := FromHistory(name+"-1", h, nil)
	require.NoError(t, err)
	return r
}

func TestFromHistory(t *testing.T) {
	type task struct {
		state          flowgraph.State
		runs, attempts int
	}
	tests := []struct {
		history string
		status  string
		tasks   map[string]task
		failure string
	}{
		{"approval", "Completed", map[string]task{"gate": {flowgraph.Done, 2, 1}, "after": {flowgraph.Done, 1, 1}}, ""},
		{"retry_task", "Completed", map[string]task{"retry_task": {flowgraph.Done, 4, 1}}, ""},
		{"join_and_failure", "Failed", map[string]task{"a": {flowgraph.Done, 1, 1}, "b": {flowgraph.Done, 1, 1},
			"c": {flowgraph.Done, 1, 1}, "d": {flowgraph.Done, 1, 1}, "boom": {flowgraph.Failed, 1, 1}}, `task "boom" failed (attempt 1): kaboom`},
		{"fan_in", "Completed", map[string]task{"fan_root": {flowgraph.Done, 1, 1}, "integrator": {flowgraph.Done, 1, 1}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.history, func(t *testing.T) {
			r := fromRecorded(t, tt.history)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.failure, r.Failure)
			got := map[string]task{}
			for _, tk := range r.Tasks {
				got[tk.ID] = task{tk.State, tk.Runs, tk.Attempts}
			}
			assert.Equal(t, tt.tasks, got)
		})
	}
}

// A fan-out whose branches a task added at run time and which ran as child
// runs: the group and its children, and the run's graph coloured by state.
func TestFromHistoryDynamicGroup(t *testing.T) {
	r := fromRecorded(t, "fan_in")
	require.Len(t, r.Groups, 1)
	g := r.Groups[0]
	assert.Equal(t, "ParallelGroup_1", g.ID)
	assert.Equal(t, 2, g.Branches)
	require.Len(t, g.Children, 2)
	for _, c := range g.Children {
		assert.Equal(t, "Completed", c.Status)
	}
	assert.Contains(t, r.Channel, Key{Name: "branches_done", Bytes: 23})
	testutil.Golden(t, "fan_in.mermaid", flowgraph.Mermaid(r.Graph))
	testutil.Golden(t, "fan_in.dot", flowgraph.Dot(r.Graph))
	testutil.Golden(t, "join_and_failure.mermaid", flowgraph.Mermaid(fromRecorded(t, "join_and_failure").Graph))
}
