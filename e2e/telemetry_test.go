package e2e_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/telemetry"
	"github.com/graflow-go/graflow/internal/testutil"
	"github.com/graflow-go/graflow/temporal"
)

// runSpans are the spans of one run: its RunWorkflow span (of the run
// itself, not of its child runs) and the RunActivity spans of the task
// attempts in the run and in its child runs (ids "<run id>/...").
func runSpans(t *testing.T, spans []testutil.Span, workflowID string) (run testutil.Span, tasks []testutil.Span) {
	t.Helper()
	found := false
	for _, s := range spans {
		wid := s.Attrs["temporalWorkflowID"]
		if wid != workflowID && !strings.HasPrefix(wid, workflowID+"/") {
			continue
		}
		switch {
		case strings.HasPrefix(s.Name, "RunWorkflow:") && wid == workflowID:
			run, found = s, true
		case strings.HasPrefix(s.Name, "RunActivity:"):
			tasks = append(tasks, s)
		}
	}
	require.True(t, found, "no RunWorkflow span of %s among %d spans", workflowID, len(spans))
	return run, tasks
}

// checkRunTrace checks the spans of a run of workflow name: one RunWorkflow
// span, and one RunActivity span per task attempt in the same trace, naming
// the task id and attempt; it returns the task ids of those spans.
func checkRunTrace(t *testing.T, spans []testutil.Span, name, workflowID string) []string {
	t.Helper()
	run, tasks := runSpans(t, spans, workflowID)
	assert.Equal(t, "RunWorkflow:"+name, run.Name)
	var ids []string
	for _, s := range tasks {
		assert.Equal(t, run.TraceID, s.TraceID, "span %s of task %s is in another trace", s.Name, s.Attrs[activities.AttrTaskID])
		assert.NotEmpty(t, s.Attrs[activities.AttrTaskID], "span %s", s.Name)
		assert.Equal(t, "1", s.Attrs[activities.AttrAttempt], "span %s", s.Name)
		ids = append(ids, s.Attrs[activities.AttrTaskID])
	}
	return ids
}

// A worker and a starter in one process, both with the tracing interceptor
// and an in-memory exporter: the run's spans form one trace, from the
// start (StartWorkflow) through the run to every task attempt, local tasks
// (fast mode) included.
func TestTracingInMemory(t *testing.T) {
	t.Parallel()
	exporter := keptSpans{tracetest.NewInMemoryExporter()}
	tel, err := telemetry.Start(context.Background(), telemetry.Options{ServiceName: "e2e", SpanExporter: exporter})
	require.NoError(t, err)
	opts := client.Options{HostPort: srv.FrontendAddress()}
	tel.Apply(&opts)
	c, err := client.Dial(opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	const queue = "telemetry-memory"
	w, err := temporal.NewWorker(c, queue, temporal.WorkerOptions{})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	ex, ok := examples.Get("diamond")
	require.True(t, ok)
	runner := temporal.NewRunner(c, temporal.RunnerOptions{TaskQueue: queue})
	res, err := ex.Workflow().Execute(context.Background(), runner, graflow.WorkflowID("telemetry-memory-diamond"))
	require.NoError(t, err)
	local := flowWith(t, []graflow.WorkflowOption{graflow.WithDefaultTaskOptions(graflow.WithLocal())}, graflow.Chain(step("local_a"), step("local_b")))
	localRes, err := local.Execute(context.Background(), runner, graflow.WorkflowID("telemetry-memory-local"))
	require.NoError(t, err)
	w.Stop()
	require.NoError(t, tel.Shutdown(context.Background()))

	var spans []testutil.Span
	starts := map[string]string{} // trace id of the StartWorkflow span by workflow type
	for _, s := range exporter.GetSpans() {
		sp := testutil.Span{Name: s.Name, TraceID: s.SpanContext.TraceID().String(), Attrs: map[string]string{}, Failed: s.Status.Code == otelcodes.Error}
		for _, kv := range s.Attributes {
			sp.Attrs[string(kv.Key)] = kv.Value.String()
		}
		for _, kv := range s.Resource.Attributes() {
			if kv.Key == attribute.Key("service.name") {
				sp.Service = kv.Value.AsString()
			}
		}
		if strings.HasPrefix(s.Name, "StartWorkflow:") {
			starts[strings.TrimPrefix(s.Name, "StartWorkflow:")] = sp.TraceID
		}
		spans = append(spans, sp)
	}
	ids := checkRunTrace(t, spans, "diamond", res.WorkflowID)
	assert.ElementsMatch(t, []string{"fetch", "transform_a", "transform_b", "store"}, ids)
	run, _ := runSpans(t, spans, res.WorkflowID)
	assert.Equal(t, starts["diamond"], run.TraceID, "the run's trace starts at the client's StartWorkflow span")
	assert.Equal(t, "e2e", run.Service)
	assert.ElementsMatch(t, []string{"local_a", "local_b"}, checkRunTrace(t, spans, local.Name(), localRes.WorkflowID))
}

// keptSpans is an in-memory exporter that keeps its spans when shut down.
type keptSpans struct{ *tracetest.InMemoryExporter }

func (keptSpans) Shutdown(context.Context) error { return nil }

// scrape reads the Prometheus endpoint at url: its text, and its metric
// families by name.
func scrape(t *testing.T, url string) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err)
	return string(body), families
}

// sum adds the samples of family whose labels include want (counters: the
// value; histograms: the sample count).
func sum(families map[string]*dto.MetricFamily, family string, want map[string]string) float64 {
	var total float64
	for _, m := range families[family].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if !match {
			continue
		}
		if h := m.GetHistogram(); h != nil {
			total += float64(h.GetSampleCount())
		} else {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

// cmd/worker as a process, configured as users do: OTEL_EXPORTER_OTLP_*
// variables point it at a collector, --metrics-addr opens its Prometheus
// endpoint. Three examples run on it: a diamond, a dynamic fan-in (tasks in
// child runs) and a strict group whose member fails. Every task attempt has
// its span in its run's trace, and the counters agree with the spans.
func TestTracingAndMetricsOfWorker(t *testing.T) {
	t.Parallel()
	col := testutil.NewCollector(t)
	metricsAddr := testutil.FreeAddress(t)
	const queue = "telemetry"
	w, err := spawnWorkerEnv("worker", queue, "telemetry-1", []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + col.URL,
		"OTEL_SERVICE_NAME=graflow-e2e-worker",
		"OTEL_BSP_SCHEDULE_DELAY=100",
	}, "--metrics-addr", metricsAddr)
	require.NoError(t, err)
	t.Cleanup(func() { w.Kill(syscall.SIGKILL) })
	runner := temporal.NewRunner(srv.Client(), temporal.RunnerOptions{TaskQueue: queue})

	ids := map[string]string{}
	for _, name := range []string{"diamond", "fan_in", "policy_strict"} {
		ex, ok := examples.Get(name)
		require.True(t, ok)
		ids[name] = "telemetry-" + name
		_, err := ex.Workflow().Execute(context.Background(), runner, graflow.WorkflowID(ids[name]))
		if name == "policy_strict" {
			var pe *graflow.ParallelGroupError
			require.ErrorAs(t, err, &pe)
		} else {
			require.NoError(t, err, name)
		}
	}

	text, families := scrape(t, "http://"+metricsAddr+"/metrics")
	for _, sample := range []string{"graflow_tasks_started_total{", "graflow_tasks_succeeded_total{", `graflow_tasks_failed_total{activity_type="source"`, "graflow_task_latency_seconds_bucket{"} {
		assert.Contains(t, text, sample)
	}
	started := sum(families, "graflow_tasks_started_total", nil)
	succeeded := sum(families, "graflow_tasks_succeeded_total", nil)
	failed := sum(families, "graflow_tasks_failed_total", map[string]string{"reason": "error"})
	assert.Equal(t, started, succeeded+failed, "every started attempt succeeded or failed")
	assert.Equal(t, started, sum(families, "graflow_task_latency_seconds", nil), "every attempt is timed")
	assert.Equal(t, 1.0, sum(families, "graflow_tasks_started_total", map[string]string{"activity_type": "store", "workflow_type": "diamond"}))
	assert.Positive(t, failed, "policy_strict's failing member")
	assert.Positive(t, sum(families, "temporal_activity_execution_latency_seconds", nil), "the SDK's own metrics")
	assert.Positive(t, sum(families, "temporal_workflow_completed_total", nil))

	// SIGTERM: the worker exports the spans it still holds, then exits 0.
	require.NoError(t, w.Signal(syscall.SIGTERM))
	code, exited := w.Wait(30 * time.Second)
	require.True(t, exited)
	require.Equal(t, 0, code, workerLog(w))
	assert.Contains(t, workerLog(w), "metrics on http://"+metricsAddr+"/metrics; tracing over OTLP")

	spans := col.Spans()
	var all []string
	for _, name := range []string{"diamond", "fan_in", "policy_strict"} {
		all = append(all, checkRunTrace(t, spans, name, ids[name])...)
	}
	assert.Len(t, all, int(started), "one span per started task attempt")
	assert.Subset(t, all, []string{"fetch", "transform_a", "transform_b", "store"})
	run, tasks := runSpans(t, spans, ids["policy_strict"])
	assert.True(t, run.Failed, "the failed run's span has status error")
	var failedSpans int
	for _, s := range tasks {
		if s.Failed {
			failedSpans++
		}
	}
	assert.Equal(t, int(failed), failedSpans, "failed attempts are error spans")
	for _, s := range spans {
		assert.Equal(t, "graflow-e2e-worker", s.Service)
	}
}
