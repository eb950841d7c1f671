package temporal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/temporal"
)

// TestReplayRecordedHistories replays histories recorded on a real server
// (by `go test ./e2e -run TestHistoriesReplay -update-histories`): an
// interpreter change that would break running workflows fails here. A
// file is named after its workflow id, which child workflow ids derive from.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
			raw, err := os.Open(f)
			require.NoError(t, err)
			defer raw.Close()
			hist, err := client.HistoryFromJSON(raw, client.HistoryJSONOptions{})
			require.NoError(t, err)
			id := strings.TrimSuffix(filepath.Base(f), ".json")
			require.NoError(t, replayer.ReplayWorkflowHistoryWithOptions(nil, hist, worker.ReplayWorkflowHistoryOptions{
				OriginalExecution: workflow.Execution{ID: id},
			}))
		})
	}
}
