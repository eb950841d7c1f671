package temporal

import (
	"fmt"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
)

// queryChannel answers the runner's on-demand channel reads.
func (r *run) queryChannel(args activities.ChannelQueryArgs) (activities.ChannelQueryResult, error) {
	s := r.scopes[args.Scope]
	if s == nil {
		return activities.ChannelQueryResult{}, fmt.Errorf("graflow: no running scope %q", args.Scope)
	}
	if args.AllKeys {
		return activities.ChannelQueryResult{Keys: s.ch.Keys()}, nil
	}
	res := activities.ChannelQueryResult{Entries: map[string]graflow.ChannelEntry{}}
	for _, k := range args.Keys {
		if e, ok := s.ch.Entry(k); ok {
			res.Entries[k] = e
		}
	}
	return res, nil
}
