package graflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// resultSuffix ends every result key.
const resultSuffix = ".__result__"

// ResultKey is the channel key holding a task's result: "<id>.__result__".
func ResultKey(taskID string) string { return taskID + resultSuffix }

// Channel is the run's shared key-value store. Values are JSON. It is safe
// for concurrent use. The zero value is an empty local channel.
type Channel struct {
	mu      sync.Mutex
	entries map[string]wire.ChannelEntry
	absent  map[string]bool
	allKeys bool
	// remoteKeys are the source's key names, asked once by Keys; a key
	// outside them is known to be absent.
	remoteKeys map[string]bool
	// resultsUnknown: remoteKeys lack the task results (ResultsUnknown).
	resultsUnknown bool
	opts           core.ChannelOptions
	ops            []wire.ChannelOp
	// deferred are writes (append, prepend, add) to keys whose value is not
	// at hand: recorded without a read, applied here only if the key is read.
	deferred map[string][]wire.ChannelOp
	// failed holds, per key, a write that failed and was not followed by a
	// successful write of that key (see Err).
	failed map[string]error
	// readErr is the first failure of the source.
	readErr error
	// lists hold list values being appended to in parsed form, so that a
	// run of appends (a group's branches merged) costs O(1) each; the
	// entry's Value is rebuilt from it when read (see materialize).
	lists map[string][]json.RawMessage
}

// newChannel returns a channel holding entries (copied).
func newChannel(entries map[string]wire.ChannelEntry, opts core.ChannelOptions) *Channel {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	c := &Channel{entries: maps.Clone(entries), absent: map[string]bool{}, opts: opts, allKeys: opts.Source == nil}
	if c.entries == nil {
		c.entries = map[string]wire.ChannelEntry{}
	}
	for _, k := range opts.Absent {
		c.absent[k] = true
	}
	if opts.KeysKnown && !c.allKeys {
		c.remoteKeys = map[string]bool{}
		for _, k := range opts.Omitted {
			c.remoteKeys[k] = true
		}
		c.resultsUnknown = opts.ResultsUnknown
	}
	return c
}

// SetOption configures a write.
type SetOption func(*writeOptions)

// writeOptions are the settings of one write.
type writeOptions struct{ ttl time.Duration }

// WithTTL makes a written value expire after d.
func WithTTL(d time.Duration) SetOption { return func(o *writeOptions) { o.ttl = d } }

// ready makes a zero Channel usable; called under c.mu.
func (c *Channel) ready() {
	if c.entries == nil {
		c.entries = map[string]wire.ChannelEntry{}
	}
	if c.absent == nil {
		c.absent = map[string]bool{}
	}
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	if c.opts.Context == nil {
		c.opts.Context = context.Background()
	}
	if c.opts.Source == nil {
		c.allKeys = true
	}
}

// Get decodes the value of key into dst; an absent or expired key is ErrKeyNotFound.
func (c *Channel) Get(key string, dst any) error {
	c.mu.Lock()
	e, ok, err := c.lookup(key)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %q", ErrKeyNotFound, key)
	}
	if err := json.Unmarshal(e.Value, dst); err != nil {
		return fmt.Errorf("graflow: channel key %q: %w", key, err)
	}
	return nil
}

// Raw returns the JSON stored under key.
func (c *Channel) Raw(key string) (json.RawMessage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok, _ := c.lookup(key)
	return e.Value, ok
}

// entry returns the stored entry of key (value and expiry).
func (c *Channel) entry(key string) (wire.ChannelEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok, _ := c.lookup(key)
	return e, ok
}

// Has reports whether key holds an unexpired value.
func (c *Channel) Has(key string) bool {
	_, ok := c.Raw(key)
	return ok
}

// Keys returns the keys holding unexpired values, sorted; results
// ("<id>.__result__") are included.
func (c *Channel) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	if !c.allKeys && (c.remoteKeys == nil || c.resultsUnknown) {
		// Only the names travel; values are fetched when read. On a source
		// error the keys known so far are returned; a later call asks again.
		if keys, err := c.opts.Source.Keys(c.opts.Context); err == nil {
			c.remoteKeys, c.resultsUnknown = map[string]bool{}, false
			for _, k := range keys {
				c.remoteKeys[k] = true
			}
		} else {
			c.sourceFailed(fmt.Errorf("graflow: listing channel keys: %w", err))
		}
	}
	now := c.opts.Now().UnixNano()
	seen := map[string]bool{}
	var keys []string
	for k, e := range c.entries {
		if !expired(e, now) {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k := range c.remoteKeys {
		if _, local := c.entries[k]; !local && !seen[k] && !c.absent[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k := range c.deferred {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Set stores v under key.
func (c *Channel) Set(key string, v any, opts ...SetOption) error {
	_, err := c.write(wire.ChannelOp{Op: wire.OpSet, Key: key}, v, opts)
	return err
}

// Append adds v to the end of the list under key (creating it) and returns
// the new length. A non-list value is ErrNotAList.
//
// A write never needs a read: when the current value of key is not at hand
// (a large value the task was not sent, see WithReads), the write is
// recorded and merged by the workflow, and Append returns 0; a later Get of
// key fetches the value and shows the write. The same holds for Prepend and
// Add.
func (c *Channel) Append(key string, v any, opts ...SetOption) (int, error) {
	n, err := c.write(wire.ChannelOp{Op: wire.OpAppend, Key: key}, v, opts)
	return int(n), err
}

// Prepend adds v to the front of the list under key and returns the new length.
func (c *Channel) Prepend(key string, v any, opts ...SetOption) (int, error) {
	n, err := c.write(wire.ChannelOp{Op: wire.OpPrepend, Key: key}, v, opts)
	return int(n), err
}

// Delete removes key.
func (c *Channel) Delete(key string) error {
	_, err := c.write(wire.ChannelOp{Op: wire.OpDelete, Key: key}, nil, nil)
	return err
}

// Add adds delta to the number under key (a missing key counts as 0) and
// returns the sum. Concurrent branches' adds all count.
func (c *Channel) Add(key string, delta float64) (float64, error) {
	return c.write(wire.ChannelOp{Op: wire.OpAdd, Key: key, Delta: delta}, nil, nil)
}

func (c *Channel) write(op wire.ChannelOp, v any, opts []SetOption) (float64, error) {
	if c.opts.ReadOnly {
		return 0, ErrReadOnlyChannel
	}
	var wo writeOptions
	for _, o := range opts {
		o(&wo)
	}
	op.TTL = wo.ttl
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	if op.Op == wire.OpSet || op.Op == wire.OpAppend || op.Op == wire.OpPrepend {
		raw, err := json.Marshal(v)
		if err != nil {
			return 0, c.failedWrite(op.Key, fmt.Errorf("graflow: channel key %q: value is not JSON: %w", op.Key, err))
		}
		op.Value = raw
	}
	if (op.Op == wire.OpAppend || op.Op == wire.OpPrepend || op.Op == wire.OpAdd) && !c.atHand(op.Key) {
		if c.deferred == nil {
			c.deferred = map[string][]wire.ChannelOp{}
		}
		c.deferred[op.Key] = append(c.deferred[op.Key], op)
		c.record(op)
		return 0, nil
	}
	out, err := c.apply(op)
	if err != nil {
		return 0, c.failedWrite(op.Key, err)
	}
	c.record(op)
	delete(c.failed, op.Key)
	return out, nil
}

// atHand reports, under c.mu, whether the current value of key (or its
// absence) is known without asking the source.
func (c *Channel) atHand(key string) bool {
	if len(c.deferred[key]) > 0 {
		return false
	}
	if _, ok := c.entries[key]; ok {
		return true
	}
	return c.allKeys || c.absent[key] || (c.remoteKeys != nil && !c.remoteKeys[key] && !(c.resultsUnknown && strings.HasSuffix(key, resultSuffix)))
}

// failedWrite remembers err as the failure of a write of key (see Err).
func (c *Channel) failedWrite(key string, err error) error {
	if c.failed == nil {
		c.failed = map[string]error{}
	}
	c.failed[key] = err
	return err
}

// sourceFailed remembers the first failure to read from the source (see Err).
func (c *Channel) sourceFailed(err error) error {
	if c.readErr == nil {
		c.readErr = err
	}
	return err
}

// Err returns the first read the channel could not serve (the workflow
// could not be asked for a key), else a write that failed (a value that is
// not JSON, an append to a non-list, an add to a non-number) and was not
// followed by a successful write of the same key, or nil. A task whose body
// returns nil fails with this error all the same: no read or write is lost
// silently because its error was ignored.
func (c *Channel) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr != nil {
		return c.readErr
	}
	if len(c.failed) == 0 {
		return nil
	}
	return c.failed[slices.Min(slices.Collect(maps.Keys(c.failed)))]
}

// record keeps op when the channel records its writes.
func (c *Channel) record(op wire.ChannelOp) {
	if c.opts.Record {
		c.ops = append(c.ops, op)
	}
}

// applyOps performs recorded ops in order (a task's writes, or a branch's on
// its parent), also on a read-only channel. It stops at the first op that
// fails; the ops before it stay applied.
func (c *Channel) applyOps(ops []wire.ChannelOp) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	for _, op := range ops {
		if _, err := c.apply(op); err != nil {
			return err
		}
		c.record(op)
	}
	return nil
}

// recordedOps returns the writes recorded so far (with core.ChannelOptions.Record).
func (c *Channel) recordedOps() []wire.ChannelOp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ops)
}

// snapshot returns a copy of every unexpired value the channel holds.
func (c *Channel) snapshot() map[string]wire.ChannelEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ready()
	now := c.opts.Now().UnixNano()
	out := make(map[string]wire.ChannelEntry, len(c.entries))
	for k := range c.lists {
		c.materialize(k)
	}
	for k, e := range c.entries {
		if !expired(e, now) {
			out[k] = e
		}
	}
	return out
}

// list returns, under c.mu, the list under key (nil when absent or
// expired) and its expiry, parsing it unless it is kept parsed already.
func (c *Channel) list(key string) ([]json.RawMessage, int64, error) {
	if list, parsed := c.lists[key]; parsed {
		e := c.entries[key]
		if expired(e, c.opts.Now().UnixNano()) {
			delete(c.lists, key)
			return nil, 0, nil
		}
		return list, e.Expires, nil
	}
	cur, ok, err := c.lookup(key)
	if err != nil || !ok {
		return nil, 0, err
	}
	var list []json.RawMessage
	if v := bytes.TrimSpace(cur.Value); len(v) == 0 || v[0] != '[' || json.Unmarshal(v, &list) != nil {
		return nil, 0, fmt.Errorf("%w: key %q holds %s", ErrNotAList, key, abbreviate(cur.Value))
	}
	return list, cur.Expires, nil
}

// materialize rebuilds, under c.mu, the JSON of a list kept parsed.
func (c *Channel) materialize(key string) {
	list, ok := c.lists[key]
	if !ok {
		return
	}
	delete(c.lists, key)
	e := c.entries[key]
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(v)
	}
	b.WriteByte(']')
	e.Value = b.Bytes()
	c.entries[key] = e
}

// apply performs one op under c.mu (its callers record it); for list ops
// it returns the new length, for add the new sum.
func (c *Channel) apply(op wire.ChannelOp) (float64, error) {
	c.ready()
	now := c.opts.Now()
	expires := int64(0)
	if op.TTL > 0 {
		expires = now.Add(op.TTL).UnixNano()
	}
	var out float64
	switch op.Op {
	case wire.OpSet:
		c.entries[op.Key] = wire.ChannelEntry{Value: op.Value, Expires: expires}
	case wire.OpDelete:
		delete(c.entries, op.Key)
	case wire.OpAppend, wire.OpPrepend:
		list, cur, err := c.list(op.Key)
		if err != nil {
			return 0, err
		}
		if expires == 0 {
			expires = cur
		}
		if op.Op == wire.OpAppend {
			list = append(list, op.Value)
		} else {
			list = append([]json.RawMessage{op.Value}, list...)
		}
		if c.lists == nil {
			c.lists = map[string][]json.RawMessage{}
		}
		c.lists[op.Key] = list
		c.entries[op.Key] = wire.ChannelEntry{Expires: expires} // Value: see materialize
		out = float64(len(list))
	case wire.OpAdd:
		cur, ok, err := c.lookup(op.Key)
		if err != nil {
			return 0, err
		}
		var n float64
		if ok {
			// json.Unmarshal accepts null into a float64 as a no-op: rule it out.
			if v := bytes.TrimSpace(cur.Value); bytes.Equal(v, []byte("null")) || json.Unmarshal(v, &n) != nil {
				return 0, fmt.Errorf("%w: key %q holds %s", ErrNotANumber, op.Key, abbreviate(cur.Value))
			}
			if expires == 0 {
				expires = cur.Expires
			}
		}
		out = n + op.Delta
		raw, err := json.Marshal(out)
		if err != nil { // NaN or an infinity
			return 0, fmt.Errorf("%w: key %q: %v + %v = %v is not a JSON number", ErrNotANumber, op.Key, n, op.Delta, out)
		}
		c.entries[op.Key] = wire.ChannelEntry{Value: raw, Expires: expires}
	default:
		return 0, fmt.Errorf("graflow: unknown channel op %q on key %q", op.Op, op.Key)
	}
	delete(c.absent, op.Key)
	if op.Op == wire.OpDelete {
		c.absent[op.Key] = true
	}
	if op.Op == wire.OpSet || op.Op == wire.OpDelete {
		delete(c.deferred, op.Key) // the value no longer depends on the old one
		delete(c.lists, op.Key)
	}
	return out, nil
}

// lookup finds key under c.mu, fetching it from the source when unknown
// and applying the writes deferred on it.
func (c *Channel) lookup(key string) (wire.ChannelEntry, bool, error) {
	c.ready()
	if !c.atHand(key) {
		if err := c.fetch([]string{key}); err != nil {
			return wire.ChannelEntry{}, false, err
		}
		if err := c.applyDeferred(key); err != nil {
			return wire.ChannelEntry{}, false, err
		}
	}
	c.materialize(key)
	e, ok := c.entries[key]
	if ok && expired(e, c.opts.Now().UnixNano()) {
		return wire.ChannelEntry{}, false, nil
	}
	return e, ok, nil
}

// applyDeferred applies, under c.mu, the writes recorded on key before its
// value was at hand (write recorded them already).
func (c *Channel) applyDeferred(key string) error {
	ops := c.deferred[key]
	delete(c.deferred, key)
	for _, op := range ops {
		if _, err := c.apply(op); err != nil {
			return c.failedWrite(key, err)
		}
	}
	return nil
}

// fetch asks the source for the unknown ones among keys.
func (c *Channel) fetch(keys []string) error {
	var want []string
	for _, k := range keys {
		if _, ok := c.entries[k]; !ok && !c.absent[k] {
			want = append(want, k)
		}
	}
	if len(want) == 0 {
		return nil
	}
	got, err := c.opts.Source.Fetch(c.opts.Context, want)
	if err != nil {
		return c.sourceFailed(fmt.Errorf("graflow: reading channel keys %v: %w", want, err))
	}
	for _, k := range want {
		if e, ok := got[k]; ok {
			c.entries[k] = e
		} else {
			c.absent[k] = true
		}
	}
	return nil
}

func expired(e wire.ChannelEntry, now int64) bool { return e.Expires != 0 && now >= e.Expires }

func abbreviate(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:37]) + "..."
	}
	return string(raw)
}
