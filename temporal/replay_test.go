package temporal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/temporal"
)

// TestReplayRecordedHistories replays histories recorded on a real server
// (by `go test ./e2e -run TestHistoriesReplay -update-histories`): an
// interpreter change that would break running workflows fails here. A
// file is named after its workflow id, which child workflow ids derive from.
// Each history is replayed twice: plain, and with the OpenTelemetry tracing
// interceptor workers run with when tracing is on (it adds headers, never
// commands).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: sdktrace.NewTracerProvider().Tracer("replay")})
	require.NoError(t, err)
	for _, f := range files {
		for _, traced := range []bool{false, true} {
			name := filepath.Base(f)
			opts := worker.WorkflowReplayerOptions{}
			if traced {
				name += "/traced"
				opts.Interceptors = []interceptor.WorkerInterceptor{tracing}
			}
			t.Run(name, func(t *testing.T) {
				replayHistory(t, f, opts)
			})
		}
	}
}

// replayHistory replays the history file f with a replayer of opts.
func replayHistory(t *testing.T, f string, opts worker.WorkflowReplayerOptions) {
	replayer, err := worker.NewWorkflowReplayerWithOptions(opts)
	require.NoError(t, err)
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
}
