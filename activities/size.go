package activities

import (
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/internal/wire"
)

// MaxPayloadBytes is Temporal's default limit of one payload (2 MiB). A task
// input or output above it would be refused by the server and retried
// forever, so graflow refuses it first with an error naming the biggest key.
const MaxPayloadBytes = 2 << 20

// sizeCheck adds up the sizes of named JSON values and remembers the largest.
type sizeCheck struct {
	total        int
	largest      string
	largestBytes int
}

func (s *sizeCheck) add(name string, raw json.RawMessage) {
	s.total += len(raw) + len(name)
	if len(raw) > s.largestBytes {
		s.largest, s.largestBytes = name, len(raw)
	}
}

func (s *sizeCheck) err(what string) error {
	if s.total <= MaxPayloadBytes {
		return nil
	}
	return fmt.Errorf("%s is %d bytes, over Temporal's %d-byte payload limit; the largest value is %s (%d bytes): keep large data outside the channel and pass a reference",
		what, s.total, MaxPayloadBytes, s.largest, s.largestBytes)
}

// CheckInput returns an error naming the largest parameter or read key when
// in would exceed MaxPayloadBytes.
func CheckInput(in *wire.Input) error {
	var s sizeCheck
	for k, v := range in.Params {
		s.add(fmt.Sprintf("parameter %q", k), v)
	}
	for k, e := range in.Reads {
		s.add(fmt.Sprintf("channel key %q", k), e.Value)
	}
	return s.err(fmt.Sprintf("the input of task %q", in.TaskID))
}

// checkOutput returns an error naming the largest write when out would
// exceed MaxPayloadBytes.
func checkOutput(taskID string, out *wire.Output) error {
	var s sizeCheck
	s.add("the task's result", out.Value)
	for _, op := range out.Ops {
		s.add(fmt.Sprintf("channel key %q", op.Key), op.Value)
	}
	for i, c := range out.Commands {
		raw, _ := json.Marshal(c) // a command is built from JSON values
		s.add(fmt.Sprintf("command %d (%s)", i+1, c.Kind), raw)
	}
	return s.err(fmt.Sprintf("the output of task %q", taskID))
}
