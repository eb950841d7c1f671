package temporal

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/internal/failures"
)

// errPollWindow ends one bounded wait for a run's close event.
var errPollWindow = errors.New("graflow: poll window over")

// pollWindow bounds each long poll for a run's close event, given how long
// the caller has waited so far: a quarter of that, at least 250 ms and at
// most 20 s (the server's own long-poll expiry). Now and then the server's
// notice that a run closed misses the poll waiting for it, and the poll
// sits until it expires (20 s, about 1 wait in 500 here); a fresh poll
// reads the closed run at once. So a missed notice costs at most 250 ms or
// a quarter of the time waited, and a client that waits a week for an
// approval polls every 20 s, not every second.
func pollWindow(waited time.Duration) time.Duration {
	return min(max(waited/4, 250*time.Millisecond), 20*time.Second)
}

// awaitRun waits for the run workflowID/runID ("" = latest), following
// continue-as-new, and decodes its result into out. It polls in bounded
// windows (pollWindow), rides out the server restarting or not answering
// (failures.Retry) and, when ctx ends first, returns an error that wraps
// ctx.Err(). It returns the run the SDK followed, for its run id.
func awaitRun(ctx context.Context, c client.Client, workflowID, runID string, out any) (client.WorkflowRun, error) {
	start := time.Now()
	var run client.WorkflowRun
	err := failures.Retry(ctx, func() error {
		for {
			pollCtx, cancel := context.WithCancelCause(ctx)
			timer := time.AfterFunc(pollWindow(time.Since(start)), func() { cancel(errPollWindow) })
			run = c.GetWorkflow(pollCtx, workflowID, runID)
			err := run.Get(pollCtx, out)
			timer.Stop()
			cancel(nil)
			if err == nil || ctx.Err() != nil || !errors.Is(context.Cause(pollCtx), errPollWindow) {
				return err
			}
		}
	})
	return run, err
}
