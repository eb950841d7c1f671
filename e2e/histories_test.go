package e2e_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

var updateHistories = flag.Bool("update-histories", false, "write the histories of TestHistoriesReplay's runs to temporal/testdata/histories")

// TestHistoriesReplay runs representative workflows on the server, replays
// their histories through the current interpreter (a determinism check of
// live runs) and, with -update-histories, records them for the replay tests
// of package temporal.
func TestHistoriesReplay(t *testing.T) {
	t.Parallel()
	example := func(name string) func(id string) error {
		return func(id string) error {
			ex, _ := examples.Get(name)
			_, err := ex.Workflow().Execute(context.Background(), exampleRunner, append(ex.Options, graflow.WorkflowID(id))...)
			return err
		}
	}
	runs := map[string]func(id string) error{
		"multistage":         example("multistage"),
		"fan_in":             example("fan_in"),
		"retry_task":         example("retry_task"),
		"agent_loop":         example("agent_loop"),
		"policy_best_effort": example("policy_best_effort"),
		"approval": func(id string) error {
			wf := graflow.NewWorkflow("approval")
			wf.Add(graflow.Chain(c.Ask.Instance("gate", graflow.Params{"id": "ship", "kind": "approval", "message": "ship it?", "channel_key": "ship_ok"}), step("after")))
			h, err := wf.Start(context.Background(), conformRunner, graflow.WorkflowID(id))
			if err != nil {
				return err
			}
			yes := true
			answer := signals.Answer{RequestID: "ship", Approved: &yes, RespondedBy: "reviewer"}
			for range 100 {
				if _, err = signals.NewClient(srv.Client()).Answer(context.Background(), id, answer); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err != nil {
				return err
			}
			_, err = h.Result(context.Background())
			return err
		},
		"join_and_failure": func(id string) error {
			wf := graflow.NewWorkflow("join_and_failure")
			wf.Add(graflow.Chain(step("a"), step("b"), step("d")), graflow.Chain(step("a"), step("c"), step("d"), c.Fail.Instance("boom", nil)))
			_, err := wf.Execute(context.Background(), conformRunner, graflow.WorkflowID(id))
			return err
		},
	}
	for name, start := range runs {
		t.Run(name, func(t *testing.T) {
			id := "history-" + name
			_ = start(id) // failures are part of what is recorded
			hist := fetchHistory(t, id)
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterDynamicWorkflow(temporal.Interpret, workflow.DynamicRegisterOptions{})
			// The original id matters: child workflow ids derive from it.
			require.NoError(t, replayer.ReplayWorkflowHistoryWithOptions(nil, hist, worker.ReplayWorkflowHistoryOptions{
				OriginalExecution: workflow.Execution{ID: id},
			}))
			if *updateHistories {
				raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
				require.NoError(t, err)
				path := filepath.Join(repoRoot(), "temporal", "testdata", "histories", id+".json")
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, raw, 0o644))
			}
		})
	}
}

func fetchHistory(t *testing.T, id string) *historypb.History {
	t.Helper()
	hist := &historypb.History{}
	it := srv.Client().GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	return hist
}
