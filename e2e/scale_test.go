package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// A 10,000-branch dynamic fan-out of trivial tasks completes, every write
// is merged, and no run's history passes 12,000 events.
func TestScaleDynamicFanOut(t *testing.T) {
	t.Parallel()
	const width = 10000
	start := time.Now()
	res, err := run(t, flow(t, graflow.Chain(c.ScaleFanOut.Instance("fan", graflow.Params{"width": width}), c.ScaleCount.Instance("total", nil))))
	require.NoError(t, err)
	elapsed := time.Since(start)
	var total int
	require.NoError(t, res.Value(&total))
	assert.Equal(t, width, total)

	cl := srv.Client()
	largest, runs := historyLength(t, cl, res.WorkflowID), 1
	for b := 1; b <= (width+temporal.BranchesPerBatch-1)/temporal.BranchesPerBatch; b++ {
		n := historyLength(t, cl, fmt.Sprintf("%s/leaves/batch-%d", res.WorkflowID, b))
		largest = max(largest, n)
		runs++
	}
	t.Logf("%d-branch dynamic fan-out: %v, %d runs, largest history %d events", width, elapsed.Round(time.Millisecond), runs, largest)
	assert.LessOrEqual(t, largest, 12000)
}

// A 5,000-iteration NextIteration loop completes across several
// continue-as-new runs with the channel intact.
func TestScaleIterationLoop(t *testing.T) {
	t.Parallel()
	const until = 5000
	start := time.Now()
	res, err := run(t, flow(t, graflow.Chain(c.ScaleLoop.Instance("loop", graflow.Params{"n": 1, "until": until}), step("after"))),
		graflow.InitialChannel(map[string]any{"keep": "me"}))
	require.NoError(t, err)
	elapsed := time.Since(start)

	var sum float64
	require.NoError(t, res.Channel.Get("sum", &sum))
	assert.Equal(t, float64(until*(until+1)/2), sum)
	var keep string
	require.NoError(t, res.Channel.Get("keep", &keep))
	assert.Equal(t, "me", keep)
	assert.Equal(t, []string{"after"}, channelLog(t, res))

	ctx := context.Background()
	runs := 0
	largest := 0
	var token []byte
	for {
		page, err := srv.Client().ListWorkflow(ctx, listRequest(res.WorkflowID, token))
		require.NoError(t, err)
		for _, e := range page.Executions {
			runs++
			largest = max(largest, int(e.HistoryLength))
		}
		if token = page.NextPageToken; len(token) == 0 {
			break
		}
	}
	t.Logf("%d-iteration loop: %v, %d runs (continue-as-new), largest history %d events", until, elapsed.Round(time.Millisecond), runs, largest)
	assert.GreaterOrEqual(t, runs, 2)
}
