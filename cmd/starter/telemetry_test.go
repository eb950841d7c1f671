package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/internal/testutil"
)

// With OTEL_EXPORTER_OTLP_ENDPOINT set, `starter run` and cmd/worker (as
// separate processes) export to one collector, and a run is one trace: the
// starter's StartWorkflow span, the worker's RunWorkflow span and a
// RunActivity span per task.
func TestRunIsOneTrace(t *testing.T) {
	col := testutil.NewCollector(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", col.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
	bin := starterBinary(t)
	dir := t.TempDir()
	addr := testutil.FreeAddress(t)
	startDev(t, bin, dir, addr, "--no-worker")
	w := startWorkers(t, addr, 1)[0]

	runBinary(t, bin, dir, "run", "diamond", "--address", addr, "--workflow-id", "traced-diamond", "--quiet")
	require.NoError(t, w.Process.Signal(syscall.SIGTERM)) // the worker exports what it holds
	require.NoError(t, w.Wait())

	byName := map[string][]testutil.Span{}
	for _, s := range col.Spans() {
		if s.Attrs["temporalWorkflowID"] == "traced-diamond" || s.Name == "StartWorkflow:diamond" {
			byName[s.Name] = append(byName[s.Name], s)
		}
	}
	require.Len(t, byName["StartWorkflow:diamond"], 1, "spans: %v", byName)
	start := byName["StartWorkflow:diamond"][0]
	assert.Equal(t, "graflow-starter", start.Service)
	require.Len(t, byName["RunWorkflow:diamond"], 1)
	run := byName["RunWorkflow:diamond"][0]
	assert.Equal(t, "graflow-worker", run.Service)
	assert.Equal(t, start.TraceID, run.TraceID)
	for _, task := range []string{"fetch", "transform_a", "transform_b", "store"} {
		spans := byName["RunActivity:"+task]
		require.Len(t, spans, 1, task)
		assert.Equal(t, start.TraceID, spans[0].TraceID, task)
		assert.Equal(t, task, spans[0].Attrs["graflow.task_id"])
	}
}
