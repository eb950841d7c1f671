package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// Bounds of the on-demand channel reads of a running task.
const (
	// queryTimeout bounds one Query to the workflow.
	queryTimeout = 10 * time.Second
	// queryBackoffMax caps the wait between two Queries.
	queryBackoffMax = 5 * time.Second
)

// querySource fetches channel keys the task was not sent from the running
// workflow by Query. A Query that fails is asked again with backoff for as
// long as the attempt lives (the server restarting, the workflow busy); what
// cannot be served wraps graflow.ErrChannelUnavailable, which fails the
// attempt as an infrastructure failure, never as the task's own error.
type querySource struct {
	client     client.Client
	workflowID string
	runID      string
	scope      string

	mu      sync.Mutex
	fetched map[string]bool
}

func (q *querySource) query(ctx context.Context, args wire.ChannelQueryArgs) (wire.ChannelQueryResult, error) {
	var res wire.ChannelQueryResult
	if q.client == nil {
		return res, fmt.Errorf("%w: no Temporal client to read the channel from", graflow.ErrChannelUnavailable)
	}
	wait := 100 * time.Millisecond
	for {
		qctx, cancel := context.WithTimeout(ctx, queryTimeout)
		v, err := q.client.QueryWorkflow(qctx, q.workflowID, q.runID, wire.ChannelQuery, args)
		cancel()
		if err == nil {
			if err := v.Get(&res); err != nil {
				return res, fmt.Errorf("%w: undecodable answer: %v", graflow.ErrChannelUnavailable, err)
			}
			return res, nil
		}
		if permanentQueryError(err) || ctx.Err() != nil {
			return res, fmt.Errorf("%w: workflow %s: %v", graflow.ErrChannelUnavailable, q.workflowID, err)
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("%w: workflow %s: %v", graflow.ErrChannelUnavailable, q.workflowID, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, queryBackoffMax)
	}
}

// permanentQueryError reports errors a new Query would meet again: the run
// is gone, or the workflow refused the Query (no such scope).
func permanentQueryError(err error) bool {
	var notFound *serviceerror.NotFound
	var failed *serviceerror.QueryFailed
	return errors.As(err, &notFound) || errors.As(err, &failed)
}

func (q *querySource) Fetch(ctx context.Context, keys []string) (map[string]wire.ChannelEntry, error) {
	res, err := q.query(ctx, wire.ChannelQueryArgs{Scope: q.scope, Keys: keys})
	if err == nil {
		q.mu.Lock()
		if q.fetched == nil {
			q.fetched = map[string]bool{}
		}
		for _, k := range keys {
			q.fetched[k] = true
		}
		q.mu.Unlock()
	}
	return res.Entries, err
}

func (q *querySource) Keys(ctx context.Context) ([]string, error) {
	res, err := q.query(ctx, wire.ChannelQueryArgs{Scope: q.scope, AllKeys: true})
	return res.Keys, err
}

// fetchedKeys returns the keys read on demand, sorted (nil-safe).
func (q *querySource) fetchedKeys() []string {
	if q == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Sorted(maps.Keys(q.fetched))
}
