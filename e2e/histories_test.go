package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

var recordHistories = flag.Bool("record-histories", false,
	"add the histories of TestHistoriesReplay's runs to the replay corpus, temporal/testdata/histories/interpreter-<N>/ (never overwriting a file)")

// corpus is one run per mechanism of the interpreter. Each starts its run
// under id (or, for a schedule, under an id the server picks) and returns
// the workflow id once the run has closed; a run that fails is recorded
// as it failed.
var corpus = map[string]func(t *testing.T, id string) string{
	"chain":               conformFlow(graflow.Chain(step("a"), step("b"), step("c"))),
	"static_group":        conformFlow(graflow.Chain(step("a"), graflow.Parallel(step("b"), step("c"), step("d")), step("e"))),
	"policy_strict_fails": conformFlow(graflow.Chain(graflow.Parallel(step("a"), c.Fail.Instance("x", nil)), step("after"))),
	"policy_at_least_fails": conformFlow(graflow.Chain(
		graflow.Parallel(step("a"), c.Fail.Instance("x", nil), c.Fail.Instance("y", nil)).WithPolicy(graflow.AtLeast(2)), step("after"))),
	"policy_critical_fails": conformFlow(graflow.Chain(
		graflow.Parallel(c.Fail.Instance("crit", nil), step("b")).WithPolicy(graflow.CriticalOnly("crit")), step("after"))),
	"policy_best_effort": example("policy_best_effort"),
	"dynamic_children":   example("fan_in"),
	"dynamic_batches": conformFlow(graflow.Chain(c.ScaleFanOut.Instance("fan", graflow.Params{"width": 120}), c.ScaleCount.Instance("total", nil)),
		graflow.InitialChannel(map[string]any{"base": 7})),
	"joins":          example("diamond"),
	"next_task":      example("dispatcher"),
	"goto":           conformFlow(graflow.Chain(c.Jump.Instance("jump", graflow.Params{"to": "end"}), step("skipped"), step("end"))),
	"next_iteration": example("retry_task"),
	"terminate":      example("check_complete"),
	"cancel":         example("validate"),
	"retries": func(t *testing.T, id string) string {
		wf := graflow.NewWorkflow("retries", graflow.WithDefaultTaskOptions(graflow.WithMaxRetries(3)))
		wf.Add(graflow.Chain(c.Flaky.Instance("flaky", graflow.Params{"succeed_on": 3}), step("after")))
		_, _ = wf.Execute(context.Background(), conformRunner, graflow.WorkflowID(id))
		return id
	},
	"continue_as_new": conformFlow(c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": 800})),
	"continue_as_new_local": func(t *testing.T, id string) string {
		wf := graflow.NewWorkflow("continue_as_new_local", graflow.WithDefaultTaskOptions(graflow.WithLocal()))
		wf.Add(c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": 4500}))
		_, _ = wf.Execute(context.Background(), conformRunner, graflow.WorkflowID(id))
		return id
	},
	"local": example("etl"),
	"feedback_update": answered("approval", func(ctx context.Context, id string, a signals.Answer) error {
		_, err := env.Feedback().Answer(ctx, id, a)
		return err
	}),
	"feedback_signal": answered("approval_signal", func(ctx context.Context, id string, a signals.Answer) error { return env.Feedback().Signal(ctx, id, a) }),
	"feedback_timeout": conformFlow(graflow.Chain(c.Ask.Instance("gate", graflow.Params{"id": "late", "kind": "approval", "message": "anyone?",
		"timeout_ms": 300, "handle_timeout": true}), step("after"))),
	"feedback_child": func(t *testing.T, id string) string {
		wf := graflow.NewWorkflow("feedback_child")
		wf.Add(c.SpawnAsk.Instance("spawn", graflow.Params{"id": "child_q", "kind": "text", "message": "From the child?"}))
		h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
		require.NoError(t, err)
		child := id + "/hi_fan/hi_ask"
		waitPending(t, child, "child_q")
		text := "from the child's answer"
		_, err = env.Feedback().Answer(context.Background(), child, signals.Answer{RequestID: "child_q", Value: &text})
		require.NoError(t, err)
		_, err = resultOf(t, h)
		require.NoError(t, err)
		return id
	},
	"task_awaits_worker": func(t *testing.T, id string) string {
		runMissingTask(t, id, "history-late-tasks")
		return id
	},
	"by_name": func(t *testing.T, id string) string {
		_ = startRaw(t, c.TaskQueue, id, c.ByNameWorkflow, map[string]any{"channel": map[string]any{"name": "ada", "count": 2}})
		return id
	},
	"schedule": func(t *testing.T, id string) string {
		runID := scheduledRun(t, id+"-schedule", id)
		_, err := rawResult(t, runID)
		require.NoError(t, err)
		return runID
	},
}

// sequentialCorpus are the corpus's runs on a task queue other tests use
// too with workers of other behaviour (the recovery queue's buggy and fixed
// workers): they run while no parallel test does.
var sequentialCorpus = map[string]func(t *testing.T, id string) string{
	"checkpoint_resume": func(t *testing.T, id string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		env.ResumeWithManager(t, ctx, id)
		return id
	},
}

// conformFlow runs nodes on the conformance worker.
func conformFlow(node graflow.Node, opts ...graflow.ExecuteOption) func(t *testing.T, id string) string {
	return func(t *testing.T, id string) string {
		wf := graflow.NewWorkflow(strings.TrimPrefix(id, "history-"))
		wf.Add(node)
		_, _ = wf.Execute(context.Background(), conformRunner, append([]graflow.ExecuteOption{graflow.WorkflowID(id)}, opts...)...)
		return id
	}
}

// example runs the example name on the cmd/worker process.
func example(name string) func(t *testing.T, id string) string {
	return func(t *testing.T, id string) string {
		ex, ok := examples.Get(name)
		require.True(t, ok, name)
		_, _ = ex.Workflow().Execute(context.Background(), exampleRunner, append(slices.Clone(ex.Options), graflow.WorkflowID(id))...)
		return id
	}
}

// answered runs a workflow that asks for an approval and answers it with
// send once it is pending.
func answered(name string, send func(ctx context.Context, id string, a signals.Answer) error) func(t *testing.T, id string) string {
	return func(t *testing.T, id string) string {
		wf := graflow.NewWorkflow(name)
		wf.Add(graflow.Chain(c.Ask.Instance("gate", graflow.Params{"id": "ship", "kind": "approval", "message": "ship it?", "channel_key": "ship_ok"}), step("after")))
		h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
		require.NoError(t, err)
		waitPending(t, id, "ship")
		yes := true
		require.NoError(t, send(context.Background(), id, signals.Answer{RequestID: "ship", Approved: &yes, RespondedBy: "reviewer"}))
		_, err = resultOf(t, h)
		require.NoError(t, err)
		return id
	}
}

// TestHistoriesReplay runs one workflow per mechanism of the interpreter
// on the server and replays the histories of all their runs (continue-as-
// new, resets and child runs included) through the current interpreter: a
// determinism check of live runs. With -record-histories it adds them to
// the replay corpus of package temporal.
func TestHistoriesReplay(t *testing.T) {
	t.Parallel()
	for _, name := range slices.Sorted(maps.Keys(corpus)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			replayScenario(t, name, corpus[name])
		})
	}
}

// TestHistoriesReplaySequential is TestHistoriesReplay for sequentialCorpus.
func TestHistoriesReplaySequential(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(sequentialCorpus)) {
		t.Run(name, func(t *testing.T) { replayScenario(t, name, sequentialCorpus[name]) })
	}
}

// replayScenario runs the corpus scenario name, replays its runs and, with
// -record-histories, records them.
func replayScenario(t *testing.T, name string, scenario func(t *testing.T, id string) string) {
	id := scenario(t, "history-"+name)
	hists := runHistories(t, id)
	replayAll(t, hists)
	if *recordHistories {
		version := interpreterVersion(t, hists[corpusFile(id, 1)].hist)
		record(t, filepath.Join(repoRoot(), "temporal", "testdata", "histories", fmt.Sprintf("interpreter-%d", version)), hists)
	}
}

// replayAll replays hists through the current interpreter.
func replayAll(t *testing.T, hists map[string]runHistory) {
	t.Helper()
	for _, file := range slices.Sorted(maps.Keys(hists)) {
		replayer := worker.NewWorkflowReplayer()
		replayer.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
		// The original id matters: child workflow ids derive from it.
		require.NoError(t, replayer.ReplayWorkflowHistoryWithOptions(nil, hists[file].hist, worker.ReplayWorkflowHistoryOptions{
			OriginalExecution: workflow.Execution{ID: hists[file].id},
		}), file)
	}
}

// runHistory is the history of one run and its workflow id.
type runHistory struct {
	id   string
	hist *historypb.History
}

// corpusFile names the n-th run (1 = the first) of workflowID in the corpus:
// the id query-escaped ("/" of child ids, ":" of scheduled ones), "@n",
// ".json.gz" (the replay test of package temporal reads the id back).
func corpusFile(workflowID string, n int) string {
	return url.QueryEscape(workflowID) + "@" + strconv.Itoa(n) + ".json.gz"
}

// runHistories returns, by corpus file name, the histories of every run of
// workflowID (its runs in the order they closed: continue-as-new, resets) and,
// recursively, of the child runs they started.
func runHistories(t *testing.T, workflowID string) map[string]runHistory {
	t.Helper()
	ctx := context.Background()
	cl := srv.Client()
	// The runs of the root id: what visibility lists once it has caught up
	// with the current run, and every run continued as new from them.
	var runIDs []string
	require.Eventually(t, func() bool {
		d, err := cl.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			return false
		}
		runIDs = runIDs[:0]
		var token []byte
		for {
			page, err := cl.ListWorkflow(ctx, env.ListRequest(workflowID, token))
			if err != nil {
				return false
			}
			for _, e := range page.Executions {
				runIDs = append(runIDs, e.Execution.RunId)
			}
			if token = page.NextPageToken; len(token) == 0 {
				break
			}
		}
		return slices.Contains(runIDs, d.WorkflowExecutionInfo.Execution.RunId)
	}, 30*time.Second, 100*time.Millisecond)
	out := map[string]runHistory{}
	collectRuns(t, workflowID, runIDs, out)
	return out
}

// collectRuns adds to out the histories of runIDs of workflowID, of the
// runs they continued as new into, and of their child runs.
func collectRuns(t *testing.T, workflowID string, runIDs []string, out map[string]runHistory) {
	t.Helper()
	type run struct {
		id     string
		hist   *historypb.History
		closed time.Time // a reset run starts at its base's start time
	}
	var runs []run
	seen := map[string]bool{}
	for len(runIDs) > 0 {
		runID := runIDs[0]
		runIDs = runIDs[1:]
		if seen[runID] {
			continue
		}
		seen[runID] = true
		h := fetchRunHistory(t, workflowID, runID)
		runs = append(runs, run{runID, h, h.Events[len(h.Events)-1].EventTime.AsTime()})
		for _, ev := range h.Events {
			switch {
			case ev.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil:
				runIDs = append(runIDs, ev.GetWorkflowExecutionContinuedAsNewEventAttributes().NewExecutionRunId)
			case ev.GetChildWorkflowExecutionStartedEventAttributes() != nil:
				e := ev.GetChildWorkflowExecutionStartedEventAttributes().WorkflowExecution
				collectRuns(t, e.WorkflowId, []string{e.RunId}, out)
			}
		}
	}
	slices.SortStableFunc(runs, func(a, b run) int { return a.closed.Compare(b.closed) })
	for i, r := range runs {
		out[corpusFile(workflowID, i+1)] = runHistory{id: workflowID, hist: r.hist}
	}
}

// interpreterVersion is the version the run of hist recorded with its
// "graflow-interpreter" marker.
func interpreterVersion(t *testing.T, hist *historypb.History) int {
	t.Helper()
	for _, ev := range hist.Events {
		m := ev.GetMarkerRecordedEventAttributes()
		if m == nil || m.MarkerName != "Version" {
			continue
		}
		var change string
		var version int
		dc := converter.GetDefaultDataConverter()
		require.NoError(t, dc.FromPayloads(m.Details["change-id"], &change))
		if change != "graflow-interpreter" {
			continue
		}
		require.NoError(t, dc.FromPayloads(m.Details["version"], &version))
		return version
	}
	t.Fatal("the run recorded no graflow-interpreter version")
	return 0
}

// record writes hists into dir, refusing to overwrite a file: the corpus
// only grows.
func record(t *testing.T, dir string, hists map[string]runHistory) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for file, h := range hists {
		path := filepath.Join(dir, file)
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s is in the corpus already: recorded histories are never rewritten; record a new interpreter version instead", path)
		}
		raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h.hist)
		require.NoError(t, err)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, err = zw.Write(raw)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		require.NoError(t, os.WriteFile(path, gz.Bytes(), 0o644))
	}
}

func fetchHistory(t *testing.T, id string) *historypb.History {
	t.Helper()
	return fetchRunHistory(t, id, "")
}

// fetchRunHistory is the history of the run workflowID/runID ("" = latest).
func fetchRunHistory(t *testing.T, workflowID, runID string) *historypb.History {
	t.Helper()
	hist := &historypb.History{}
	it := srv.Client().GetWorkflowHistory(context.Background(), workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	return hist
}
