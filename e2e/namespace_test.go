package e2e_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// A namespace without graflow's search attribute GraflowAwaitingFeedback
// (a server set up by hand): a run that asks for feedback still works —
// the Runner notices the missing attribute and the run does not keep it,
// instead of failing every workflow task on the unknown attribute.
func TestNamespaceWithoutSearchAttribute(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := srv.Client().WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        "bare",
		WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	require.NoError(t, err)
	var cl client.Client
	require.Eventually(t, func() bool {
		cl, err = client.Dial(client.Options{HostPort: srv.FrontendAddress(), Namespace: "bare", Logger: quietLogger()})
		return err == nil
	}, 30*time.Second, 200*time.Millisecond)
	defer cl.Close()

	w, err := temporal.NewWorker(cl, "bare", temporal.WorkerOptions{Identity: "bare-worker", Logger: quietSlog()})
	require.NoError(t, err)
	require.NoError(t, w.Start())
	defer w.Stop()

	wf := graflow.NewWorkflow("bare_approval")
	wf.Add(c.Ask.Instance("gate", graflow.Params{"id": "go", "kind": "approval", "message": "go?"}))
	runner := temporal.NewRunner(cl, temporal.RunnerOptions{TaskQueue: "bare", Namespace: "bare"})
	h, err := wf.Start(ctx, runner, graflow.WorkflowID("bare-1"))
	require.NoError(t, err)
	yes := true
	require.Eventually(t, func() bool {
		_, err := signals.NewClient(cl).Answer(ctx, h.WorkflowID, signals.Answer{RequestID: "go", Approved: &yes})
		return err == nil
	}, time.Minute, 200*time.Millisecond)
	res, err := h.Result(ctx)
	require.NoError(t, err)
	var out string
	require.NoError(t, res.Value(&out))
	require.Equal(t, "approved", out)
}

func quietSlog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func quietLogger() sdklog.Logger { return sdklog.NewStructuredLogger(quietSlog()) }
