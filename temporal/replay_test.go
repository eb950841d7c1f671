package temporal_test

import (
	"compress/gzip"
	"io"
	"net/url"
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

// TestReplayRecordedHistories replays the corpus of histories recorded on
// a real server: an interpreter change that would break running workflows
// fails here. The corpus only grows (internal/wire's doc says how to change
// the interpreter): testdata/histories/*.json were recorded by the builds
// before interpreter versions (0ff43ce and earlier), and
// testdata/histories/interpreter-<N>/ by `go test ./e2e -run
// TestHistoriesReplay -record-histories` with version N current, and
// testdata/histories/upgrade-<build>/ by TestUpgradeFromOldBuild (runs the
// old build started and this one finished). A file is
// named after its run's workflow id, which child workflow ids derive from
// (see historyID). Each history is replayed twice: plain, and with the
// OpenTelemetry tracing interceptor workers run with when tracing is on
// (it adds headers, never commands).
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	versioned, err := filepath.Glob("testdata/histories/*/*.json.gz")
	require.NoError(t, err)
	require.NotEmpty(t, versioned)
	files = append(files, versioned...)
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
			t.Run(strings.TrimPrefix(f, "testdata/histories/")+strings.TrimPrefix(name, filepath.Base(f)), func(t *testing.T) {
				replayHistory(t, f, opts)
			})
		}
	}
}

// replayHistory replays the history file f with a replayer of opts.
func replayHistory(t *testing.T, f string, opts worker.WorkflowReplayerOptions) {
	t.Helper()
	require.NoError(t, replay(f, opts))
}

// replay replays the history file f, named after its workflow id, with a
// replayer of opts.
func replay(f string, opts worker.WorkflowReplayerOptions) error {
	replayer, err := worker.NewWorkflowReplayerWithOptions(opts)
	if err != nil {
		return err
	}
	replayer.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
	file, err := os.Open(f)
	if err != nil {
		return err
	}
	defer file.Close()
	var raw io.Reader = file
	if strings.HasSuffix(f, ".gz") {
		zr, err := gzip.NewReader(file)
		if err != nil {
			return err
		}
		defer zr.Close()
		raw = zr
	}
	hist, err := client.HistoryFromJSON(raw, client.HistoryJSONOptions{})
	if err != nil {
		return err
	}
	return replayer.ReplayWorkflowHistoryWithOptions(nil, hist, worker.ReplayWorkflowHistoryOptions{
		OriginalExecution: workflow.Execution{ID: historyID(f)},
	})
}

// historyID is the workflow id of the corpus file f: its name without
// ".json" (or ".json.gz") and the run number after "@", query-unescaped
// (a child's id has "/", a scheduled run's ":").
func historyID(f string) string {
	name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".gz"), ".json")
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[:i]
	}
	id, err := url.QueryUnescape(name)
	if err != nil {
		return name
	}
	return id
}

// A change to the commands the interpreter emits that is not gated by a
// version (here: a history limit changed in place) fails the replay of a
// recorded run it touches: the corpus guards every change.
func TestReplayCatchesUngatedChange(t *testing.T) {
	f := "testdata/histories/history-policy_best_effort.json" // a static group of three branches
	replayHistory(t, f, worker.WorkflowReplayerOptions{})
	undo := temporal.UngatedLimitChange()
	defer undo()
	err := replay(f, worker.WorkflowReplayerOptions{})
	require.Error(t, err)
	require.ErrorContains(t, err, "TMPRL1100", "Temporal's code for a nondeterministic replay")
}
