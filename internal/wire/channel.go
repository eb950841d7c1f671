package wire

import (
	"encoding/json"
	"time"
)

// ChannelEntry is one stored channel value: its JSON and its expiry (Unix
// nanoseconds, 0 = never).
type ChannelEntry struct {
	Value   json.RawMessage `json:"v"`
	Expires int64           `json:"exp,omitempty"`
}

// Channel write kinds, as recorded in ChannelOp.Op.
const (
	OpSet     = "set"
	OpAppend  = "append"
	OpPrepend = "prepend"
	OpDelete  = "delete"
	OpAdd     = "add"
)

// ChannelOp is one recorded channel write. A task's writes travel back to
// the workflow as ops, and a parallel branch's ops are replayed on its parent.
type ChannelOp struct {
	Op    string          `json:"op"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value,omitempty"`
	TTL   time.Duration   `json:"ttl,omitempty"`
	Delta float64         `json:"delta,omitempty"`
}
