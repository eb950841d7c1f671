package temporal

import (
	"fmt"

	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
)

// queryChannel answers the runner's on-demand channel reads.
func (r *run) queryChannel(args wire.ChannelQueryArgs) (wire.ChannelQueryResult, error) {
	s := r.scopes[args.Scope]
	if s == nil {
		return wire.ChannelQueryResult{}, fmt.Errorf("graflow: no running scope %q", args.Scope)
	}
	if args.AllKeys {
		return wire.ChannelQueryResult{Keys: s.ch.Keys()}, nil
	}
	res := wire.ChannelQueryResult{Entries: map[string]wire.ChannelEntry{}}
	for _, k := range args.Keys {
		if e, ok := engine.Entry(s.ch, k); ok {
			res.Entries[k] = e
		}
	}
	return res, nil
}
