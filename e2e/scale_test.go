package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
)

// A 10,000-branch dynamic fan-out whose members read a key and Add,
// Append and Set without declaring anything completes, every write is
// merged exactly once, and no run's history passes 12,000 events.
func TestScaleDynamicFanOut(t *testing.T) {
	t.Parallel()
	env.DynamicFanOut(t, 10000, 12000)
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
		page, err := srv.Client().ListWorkflow(ctx, env.ListRequest(res.WorkflowID, token))
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

// A static group of 400 members that read and write the channel freely
// (nothing declared, errors ignored): every write is merged exactly once.
func TestScaleStaticGroup(t *testing.T) {
	t.Parallel()
	const width, base = 400, 3
	members := make([]graflow.Node, width)
	for i := range members {
		members[i] = c.ScaleLeaf.Instance(fmt.Sprintf("member_%03d", i), graflow.Params{"i": i})
	}
	res, err := run(t, flow(t, graflow.Chain(graflow.Parallel(members[0], members[1], members[2:]...), c.ScaleCount.Instance("total", nil))),
		graflow.InitialChannel(map[string]any{"base": base}))
	require.NoError(t, err)
	assert.Equal(t, width, value[int](t, res))
	assert.Equal(t, float64(width*base+width*(width-1)/2), channelValue[float64](t, res, "sum"))
	items := channelValue[[]int](t, res, "items")
	slices.Sort(items)
	assert.Equal(t, width, len(slices.Compact(items)))
	assert.Len(t, items, width)
	for i := range width {
		require.Equal(t, i, channelValue[int](t, res, fmt.Sprintf("leaf_%05d", i)))
	}
}
