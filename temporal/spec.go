package temporal

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/internal/wire"
)

// channelBytes is about the size of the JSON of o's channel.
func channelBytes(o *wire.RunOutput) int {
	n := 0
	for k, e := range o.Channel {
		n += len(k) + len(e.Value) + 16
	}
	return n
}

// checkRunInput refuses a run input over Temporal's payload limit, which
// the server would answer by terminating the run, with an error naming the
// largest channel key.
func checkRunInput(what string, in *wire.RunInput) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("graflow: %s: %w", what, err)
	}
	if len(raw) <= activities.MaxPayloadBytes {
		return nil
	}
	largest, size := "", 0
	for k, e := range in.Channel {
		if len(e.Value) > size || (len(e.Value) == size && k < largest) {
			largest, size = k, len(e.Value)
		}
	}
	return fmt.Errorf("graflow: %s is %d bytes, over Temporal's %d-byte payload limit (the channel's largest value is %q, %d bytes): keep large data outside the channel and pass a reference",
		what, len(raw), activities.MaxPayloadBytes, largest, size)
}
