package graflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is an injectable ChannelOptions.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestChannelBasicOperations(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	type profile struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	require.NoError(t, ch.Set("user_id", "user_123"))
	require.NoError(t, ch.Set("score", 95.5))
	require.NoError(t, ch.Set("active", true))
	require.NoError(t, ch.Set("user_profile", profile{Name: "Alice", Age: 30}))
	require.NoError(t, ch.Set(graflow.ResultKey("fetch"), map[string]int{"v": 1}))

	var s string
	require.NoError(t, ch.Get("user_id", &s))
	assert.Equal(t, "user_123", s)
	var f float64
	require.NoError(t, ch.Get("score", &f))
	assert.Equal(t, 95.5, f)
	var b bool
	require.NoError(t, ch.Get("active", &b))
	assert.True(t, b)
	var p profile
	require.NoError(t, ch.Get("user_profile", &p))
	assert.Equal(t, profile{Name: "Alice", Age: 30}, p)
	var anyP map[string]any
	require.NoError(t, ch.Get("user_profile", &anyP))
	assert.Equal(t, map[string]any{"name": "Alice", "age": 30.0}, anyP)

	assert.True(t, ch.Has("score"))
	assert.False(t, ch.Has("missing"))
	assert.Equal(t, []string{"active", "fetch.__result__", "score", "user_id", "user_profile"}, ch.Keys())
	raw, ok := ch.Raw("user_profile")
	assert.True(t, ok)
	assert.JSONEq(t, `{"name":"Alice","age":30}`, string(raw))

	// Missing key.
	err := ch.Get("missing", &s)
	assert.ErrorIs(t, err, graflow.ErrKeyNotFound)
	assert.Contains(t, err.Error(), `"missing"`)

	// Wrong type on decode is an error, not a silent zero.
	var n int
	assert.Error(t, ch.Get("user_id", &n))

	// Delete.
	require.NoError(t, ch.Delete("score"))
	assert.False(t, ch.Has("score"))
	assert.ErrorIs(t, ch.Get("score", &f), graflow.ErrKeyNotFound)
	require.NoError(t, ch.Delete("never-there"))
	assert.Equal(t, []string{"active", "fetch.__result__", "user_id", "user_profile"}, ch.Keys())

	// Overwrite.
	require.NoError(t, ch.Set("user_id", 7))
	require.NoError(t, ch.Get("user_id", &n))
	assert.Equal(t, 7, n)

	// Not JSON.
	assert.Error(t, ch.Set("fn", func() {}))
	assert.False(t, ch.Has("fn"))
}

func TestChannelNullValue(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	require.NoError(t, ch.Set("k", nil))
	assert.True(t, ch.Has("k"))
	raw, ok := ch.Raw("k")
	assert.True(t, ok)
	assert.Equal(t, "null", string(raw))
	var v any = "not null"
	require.NoError(t, ch.Get("k", &v))
	assert.Nil(t, v)
	var p *int
	require.NoError(t, ch.Get("k", &p))
	assert.Nil(t, p)
}

func TestChannelZeroValueIsUsable(t *testing.T) {
	var ch graflow.Channel
	assert.Empty(t, ch.Keys())
	assert.False(t, ch.Has("k"))
	require.NoError(t, ch.Set("k", 1))
	n, err := ch.Add("n", 2)
	require.NoError(t, err)
	assert.Equal(t, 2.0, n)
	l, err := ch.Append("l", "x")
	require.NoError(t, err)
	assert.Equal(t, 1, l)
	assert.Equal(t, []string{"k", "l", "n"}, ch.Keys())
	assert.Len(t, engine.Entries(&ch), 3)
}

func TestChannelListOperations(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	for i, v := range []string{"first", "second", "third"} {
		n, err := ch.Append("appended", v)
		require.NoError(t, err)
		assert.Equal(t, i+1, n)
	}
	var got []string
	require.NoError(t, ch.Get("appended", &got))
	assert.Equal(t, []string{"first", "second", "third"}, got)

	for i, v := range []string{"third", "second", "first"} {
		n, err := ch.Prepend("prepended", v)
		require.NoError(t, err)
		assert.Equal(t, i+1, n)
	}
	require.NoError(t, ch.Get("prepended", &got))
	assert.Equal(t, []string{"first", "second", "third"}, got)

	_, err := ch.Append("mixed", "middle")
	require.NoError(t, err)
	_, err = ch.Prepend("mixed", "first")
	require.NoError(t, err)
	n, err := ch.Append("mixed", "last")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	require.NoError(t, ch.Get("mixed", &got))
	assert.Equal(t, []string{"first", "middle", "last"}, got)

	// Appending to a list that was Set works too; items may be any JSON.
	require.NoError(t, ch.Set("set-list", []int{1}))
	n, err = ch.Append("set-list", map[string]int{"a": 2})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	raw, _ := ch.Raw("set-list")
	assert.JSONEq(t, `[1, {"a": 2}]`, string(raw))
}

func TestChannelListOpsOnNonList(t *testing.T) {
	for _, v := range []any{"text", 5, map[string]int{"a": 1}, nil, true} {
		ch := engine.NewChannel(nil, engine.ChannelOptions{Record: true})
		require.NoError(t, ch.Set("k", v))
		_, err := ch.Append("k", "x")
		assert.ErrorIs(t, err, graflow.ErrNotAList, "%v", v)
		assert.Contains(t, err.Error(), `"k"`)
		_, err = ch.Prepend("k", "x")
		assert.ErrorIs(t, err, graflow.ErrNotAList, "%v", v)
		assert.Len(t, engine.RecordedOps(ch), 1, "failed ops are not recorded")
	}
	// Entries given from outside, with odd JSON, do not panic.
	ch := engine.NewChannel(map[string]wire.ChannelEntry{
		"empty":  {},
		"spaced": {Value: json.RawMessage(" [1] ")},
	}, engine.ChannelOptions{})
	_, err := ch.Append("empty", 1)
	assert.ErrorIs(t, err, graflow.ErrNotAList)
	n, err := ch.Append("spaced", 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestChannelAdd(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	n, err := ch.Add("missing", 1)
	require.NoError(t, err)
	assert.Equal(t, 1.0, n)

	require.NoError(t, ch.Set("counter", 10))
	n, err = ch.Add("counter", 5)
	require.NoError(t, err)
	assert.Equal(t, 15.0, n)
	n, err = ch.Add("counter", -8)
	require.NoError(t, err)
	assert.Equal(t, 7.0, n)
	var asInt int
	require.NoError(t, ch.Get("counter", &asInt), "an integral sum reads back as an int")
	assert.Equal(t, 7, asInt)

	require.NoError(t, ch.Set("f", 1.5))
	n, err = ch.Add("f", 0.25)
	require.NoError(t, err)
	assert.Equal(t, 1.75, n)

	for _, v := range []any{"10", nil, []int{1}, true} {
		require.NoError(t, ch.Set("nan", v))
		_, err = ch.Add("nan", 1)
		assert.ErrorIs(t, err, graflow.ErrNotANumber, "%v", v)
	}
	_, err = ch.Add("counter", math.Inf(1))
	assert.ErrorIs(t, err, graflow.ErrNotANumber)
	require.NoError(t, ch.Get("counter", &asInt))
	assert.Equal(t, 7, asInt, "a failed add changes nothing")
}

func TestChannelTTL(t *testing.T) {
	clock := newFakeClock()
	ch := engine.NewChannel(nil, engine.ChannelOptions{Now: clock.Now})
	require.NoError(t, ch.Set("temp", "soon gone", graflow.WithTTL(time.Second)))
	require.NoError(t, ch.Set("permanent", "stays"))
	_, err := ch.Append("list", "x", graflow.WithTTL(time.Second))
	require.NoError(t, err)
	assert.True(t, ch.Has("temp"))
	assert.True(t, ch.Has("list"))
	assert.Equal(t, []string{"list", "permanent", "temp"}, ch.Keys())

	clock.Advance(999 * time.Millisecond)
	assert.True(t, ch.Has("temp"))

	clock.Advance(1100 * time.Millisecond)
	var s string
	assert.ErrorIs(t, ch.Get("temp", &s), graflow.ErrKeyNotFound)
	assert.False(t, ch.Has("temp"))
	assert.False(t, ch.Has("list"))
	require.NoError(t, ch.Get("permanent", &s))
	assert.Equal(t, "stays", s)
	assert.Equal(t, []string{"permanent"}, ch.Keys())
	assert.Len(t, engine.Entries(ch), 1)

	// An expired list starts afresh; an expired counter starts at 0.
	n, err := ch.Append("list", "y")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, ch.Set("c", 10, graflow.WithTTL(time.Second)))
	clock.Advance(2 * time.Second)
	sum, err := ch.Add("c", 1)
	require.NoError(t, err)
	assert.Equal(t, 1.0, sum)

	// Appending without a TTL keeps the list's expiry; Set without one clears it.
	_, err = ch.Append("l2", 1, graflow.WithTTL(time.Second))
	require.NoError(t, err)
	_, err = ch.Append("l2", 2)
	require.NoError(t, err)
	require.NoError(t, ch.Set("s2", 1, graflow.WithTTL(time.Second)))
	require.NoError(t, ch.Set("s2", 2))
	clock.Advance(2 * time.Second)
	assert.False(t, ch.Has("l2"))
	assert.True(t, ch.Has("s2"))
}

func TestChannelRecordAndApply(t *testing.T) {
	clock := newFakeClock()
	src := engine.NewChannel(map[string]wire.ChannelEntry{"base": {Value: json.RawMessage(`1`)}},
		engine.ChannelOptions{Record: true, Now: clock.Now})
	require.NoError(t, src.Set("a", "x"))
	_, err := src.Append("l", 1)
	require.NoError(t, err)
	_, err = src.Prepend("l", 0)
	require.NoError(t, err)
	_, err = src.Add("n", 2.5)
	require.NoError(t, err)
	require.NoError(t, src.Set("t", true, graflow.WithTTL(time.Minute)))
	require.NoError(t, src.Delete("base"))

	ops := engine.RecordedOps(src)
	require.Len(t, ops, 6)
	assert.Equal(t, wire.ChannelOp{Op: wire.OpSet, Key: "a", Value: json.RawMessage(`"x"`)}, ops[0])
	assert.Equal(t, wire.OpAppend, ops[1].Op)
	assert.Equal(t, wire.OpPrepend, ops[2].Op)
	assert.Equal(t, wire.ChannelOp{Op: wire.OpAdd, Key: "n", Delta: 2.5}, ops[3])
	assert.Equal(t, time.Minute, ops[4].TTL)
	assert.Equal(t, wire.ChannelOp{Op: wire.OpDelete, Key: "base"}, ops[5])

	// The ops survive JSON (they travel as activity results).
	raw, err := json.Marshal(ops)
	require.NoError(t, err)
	var back []wire.ChannelOp
	require.NoError(t, json.Unmarshal(raw, &back))

	dst := engine.NewChannel(map[string]wire.ChannelEntry{"base": {Value: json.RawMessage(`1`)}},
		engine.ChannelOptions{Now: clock.Now})
	require.NoError(t, engine.ApplyOps(dst, back))
	assert.Equal(t, engine.Entries(src), engine.Entries(dst))
	assert.Equal(t, src.Keys(), dst.Keys())

	// Ops are a copy.
	ops[0].Key = "changed"
	assert.Equal(t, "a", engine.RecordedOps(src)[0].Key)

	// Without Record nothing is kept.
	assert.Empty(t, engine.RecordedOps(dst))

	// Replaying adds accumulates; replaying onto a non-list stops with an error.
	require.NoError(t, engine.ApplyOps(dst, back[3:4]))
	var n float64
	require.NoError(t, dst.Get("n", &n))
	assert.Equal(t, 5.0, n)
	err = engine.ApplyOps(dst, []wire.ChannelOp{
		{Op: wire.OpSet, Key: "ok", Value: json.RawMessage(`1`)},
		{Op: wire.OpAppend, Key: "a", Value: json.RawMessage(`1`)},
		{Op: wire.OpSet, Key: "never", Value: json.RawMessage(`1`)},
	})
	assert.ErrorIs(t, err, graflow.ErrNotAList)
	assert.True(t, dst.Has("ok"))
	assert.False(t, dst.Has("never"))
	assert.Error(t, engine.ApplyOps(dst, []wire.ChannelOp{{Op: "bogus", Key: "k"}}))
}

func TestChannelReadOnly(t *testing.T) {
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"k": {Value: json.RawMessage(`[1]`)}},
		engine.ChannelOptions{ReadOnly: true})
	assert.ErrorIs(t, ch.Set("x", 1), graflow.ErrReadOnlyChannel)
	_, err := ch.Append("k", 2)
	assert.ErrorIs(t, err, graflow.ErrReadOnlyChannel)
	_, err = ch.Prepend("k", 2)
	assert.ErrorIs(t, err, graflow.ErrReadOnlyChannel)
	_, err = ch.Add("n", 1)
	assert.ErrorIs(t, err, graflow.ErrReadOnlyChannel)
	assert.ErrorIs(t, ch.Delete("k"), graflow.ErrReadOnlyChannel)
	var l []int
	require.NoError(t, ch.Get("k", &l))
	assert.Equal(t, []int{1}, l)
	assert.Equal(t, []string{"k"}, ch.Keys())
}

func TestChannelEntriesAreCopied(t *testing.T) {
	in := map[string]wire.ChannelEntry{"a": {Value: json.RawMessage(`1`)}}
	ch := engine.NewChannel(in, engine.ChannelOptions{})
	in["b"] = wire.ChannelEntry{Value: json.RawMessage(`2`)}
	assert.False(t, ch.Has("b"))
	out := engine.Entries(ch)
	delete(out, "a")
	assert.True(t, ch.Has("a"))
}

// fakeSource is a ChannelSource that counts what it is asked for.
type fakeSource struct {
	mu       sync.Mutex
	data     map[string]wire.ChannelEntry
	fetched  map[string]int
	keyCalls int
	err      error
}

func (s *fakeSource) Fetch(_ context.Context, keys []string) (map[string]wire.ChannelEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	out := map[string]wire.ChannelEntry{}
	for _, k := range keys {
		s.fetched[k]++
		if e, ok := s.data[k]; ok {
			out[k] = e
		}
	}
	return out, nil
}

func (s *fakeSource) Keys(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyCalls++
	if s.err != nil {
		return nil, s.err
	}
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

func TestChannelSource(t *testing.T) {
	src := &fakeSource{
		data: map[string]wire.ChannelEntry{
			"remote":  {Value: json.RawMessage(`"r"`)},
			"other":   {Value: json.RawMessage(`2`)},
			"deleted": {Value: json.RawMessage(`3`)},
			"local":   {Value: json.RawMessage(`"stale"`)},
		},
		fetched: map[string]int{},
	}
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"local": {Value: json.RawMessage(`"l"`)}},
		engine.ChannelOptions{Source: src})

	var s string
	require.NoError(t, ch.Get("local", &s))
	assert.Equal(t, "l", s, "a key the channel holds is not fetched")
	require.NoError(t, ch.Get("remote", &s))
	assert.Equal(t, "r", s)
	require.NoError(t, ch.Get("remote", &s))
	assert.True(t, ch.Has("remote"))
	assert.Equal(t, 1, src.fetched["remote"], "fetched once")

	assert.False(t, ch.Has("absent"))
	assert.ErrorIs(t, ch.Get("absent", &s), graflow.ErrKeyNotFound)
	assert.Equal(t, 1, src.fetched["absent"], "a known-absent key is not fetched again")

	require.NoError(t, ch.Delete("deleted"))
	assert.False(t, ch.Has("deleted"))
	assert.Equal(t, 0, src.fetched["deleted"], "a locally deleted key is not fetched")

	// A write to a key whose value is not at hand needs no read: it is
	// recorded, returns 0, and shows once the key is read.
	n, err := ch.Add("other", 1)
	require.NoError(t, err)
	assert.Equal(t, 0.0, n)
	assert.Equal(t, 0, src.fetched["other"], "a write does not read")
	var sum float64
	require.NoError(t, ch.Get("other", &sum))
	assert.Equal(t, 3.0, sum, "the deferred add is applied to the fetched value")
	n, err = ch.Add("other", 1)
	require.NoError(t, err)
	assert.Equal(t, 4.0, n, "once read, the value is at hand")

	assert.Equal(t, []string{"local", "other", "remote"}, ch.Keys())
	assert.Equal(t, []string{"local", "other", "remote"}, ch.Keys())
	assert.Equal(t, 1, src.keyCalls, "the source's key list is asked once")
	assert.Equal(t, 0, src.fetched["local"])
	assert.Equal(t, 1, src.fetched["other"])
	require.NoError(t, ch.Err())

	// After Keys the channel knows everything: no more fetches.
	assert.False(t, ch.Has("brand-new"))
	assert.Equal(t, 0, src.fetched["brand-new"])
}

func TestChannelSourceErrors(t *testing.T) {
	boom := errors.New("boom")
	src := &fakeSource{data: map[string]wire.ChannelEntry{"k": {Value: json.RawMessage(`1`)}}, fetched: map[string]int{}, err: boom}
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"local": {Value: json.RawMessage(`1`)}}, engine.ChannelOptions{Source: src})
	var n int
	err := ch.Get("k", &n)
	assert.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, graflow.ErrKeyNotFound)
	assert.ErrorIs(t, ch.Err(), boom, "a failed read stays the channel's error even if ignored")
	_, err = ch.Add("k", 1)
	require.NoError(t, err, "a write needs no read")
	assert.Equal(t, []string{"k", "local"}, ch.Keys(), "on a source error Keys gives what is known")

	// Once the source works again, the channel asks again.
	src.mu.Lock()
	src.err = nil
	src.mu.Unlock()
	assert.Equal(t, []string{"k", "local"}, ch.Keys())
	require.NoError(t, ch.Get("k", &n))
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, ch.Err(), boom, "the earlier failure is not forgotten")
}

func TestChannelKnownKeys(t *testing.T) {
	src := &fakeSource{data: map[string]wire.ChannelEntry{"big": {Value: json.RawMessage(`[1,2]`)}, "num": {Value: json.RawMessage(`"x"`)}}, fetched: map[string]int{}}
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"small": {Value: json.RawMessage(`1`)}},
		engine.ChannelOptions{Source: src, KeysKnown: true, Omitted: []string{"big", "num"}, Record: true})
	assert.Equal(t, []string{"big", "num", "small"}, ch.Keys())
	assert.False(t, ch.Has("other"))
	n, err := ch.Append("new", "a")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "an absent key is at hand")
	n, err = ch.Append("big", 3)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "an omitted value is not at hand")
	_, err = ch.Add("num", 1)
	require.NoError(t, err)
	assert.Equal(t, 0, src.keyCalls)
	assert.Empty(t, src.fetched, "writes read nothing")
	assert.Len(t, engine.RecordedOps(ch), 3, "every write is recorded")

	var list []int
	require.NoError(t, ch.Get("big", &list))
	assert.Equal(t, []int{1, 2, 3}, list)
	var f float64
	err = ch.Get("num", &f)
	assert.ErrorIs(t, err, graflow.ErrNotANumber, "a deferred write that conflicts fails when applied")
	assert.ErrorIs(t, ch.Err(), graflow.ErrNotANumber)
}

func TestChannelErrIgnoredWrite(t *testing.T) {
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"s": {Value: json.RawMessage(`"text"`)}}, engine.ChannelOptions{})
	_, err := ch.Append("s", 1)
	assert.ErrorIs(t, err, graflow.ErrNotAList)
	assert.ErrorIs(t, ch.Err(), graflow.ErrNotAList, "an ignored failed write is the channel's error")
	require.NoError(t, ch.Set("s", []int{1}))
	assert.NoError(t, ch.Err(), "a later successful write of the key handles it")
}

func TestChannelConcurrentAdd(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if _, err := ch.Add("counter", 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	require.NoError(t, ch.Get("counter", &n))
	assert.Equal(t, 10000, n)
}

func TestChannelConcurrentAppend(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{Record: true})
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var err error
				if i%2 == 0 {
					_, err = ch.Append("items", w*each+i)
				} else {
					_, err = ch.Prepend("items", w*each+i)
				}
				if err != nil {
					t.Error(err)
					return
				}
				ch.Has("items")
				ch.Keys()
			}
		}()
	}
	wg.Wait()
	var items []int
	require.NoError(t, ch.Get("items", &items))
	require.Len(t, items, workers*each)
	sort.Ints(items)
	for i, v := range items {
		require.Equal(t, i, v)
	}
	assert.Len(t, engine.RecordedOps(ch), workers*each)
}

func TestTypedKeys(t *testing.T) {
	type point struct{ X, Y int }
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	pk := graflow.NewKey[point]("p")
	assert.Equal(t, "p", pk.Name())
	_, err := pk.Get(ch)
	assert.ErrorIs(t, err, graflow.ErrKeyNotFound)
	require.NoError(t, pk.Set(ch, point{1, 2}))
	got, err := pk.Get(ch)
	require.NoError(t, err)
	assert.Equal(t, point{1, 2}, got)

	lk := graflow.NewListKey[string]("names")
	assert.Equal(t, "names", lk.Name())
	all, err := lk.All(ch)
	require.NoError(t, err)
	assert.Empty(t, all)
	n, err := lk.Append(ch, "a")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, err = lk.Append(ch, "b")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	all, err = lk.All(ch)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, all)

	// A typed key over a value of another type is an error.
	ik := graflow.NewKey[int]("names")
	_, err = ik.Get(ch)
	assert.Error(t, err)
	_, err = graflow.NewListKey[int]("p").Append(ch, 1)
	assert.ErrorIs(t, err, graflow.ErrNotAList)
}

func TestTaskContextResult(t *testing.T) {
	ch := engine.NewChannel(nil, engine.ChannelOptions{})
	require.NoError(t, ch.Set(graflow.ResultKey("up"), 42))
	tc := engine.NewTaskContext(context.Background(), engine.TaskEnv{TaskID: "t"}, ch, nil)
	var n int
	require.NoError(t, tc.Result("up", &n))
	assert.Equal(t, 42, n)
	assert.ErrorIs(t, tc.Result("nobody", &n), graflow.ErrKeyNotFound)
	assert.Equal(t, "up.__result__", graflow.ResultKey("up"))
}

// Many appends in a row (a wide group's branches merged) keep every value
// in order, interleaved with reads, prepends, sets and TTLs.
func TestChannelAppendRun(t *testing.T) {
	now := time.Unix(0, 0)
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"l": {Value: json.RawMessage(`[ "a" ]`)}}, engine.ChannelOptions{Now: func() time.Time { return now }})
	for i := range 10000 {
		n, err := ch.Append("l", i)
		require.NoError(t, err)
		require.Equal(t, i+2, n)
	}
	n, err := ch.Prepend("l", "first")
	require.NoError(t, err)
	assert.Equal(t, 10002, n)
	var list []any
	require.NoError(t, ch.Get("l", &list))
	require.Len(t, list, 10002)
	assert.Equal(t, []any{"first", "a", 0.0}, list[:3])
	assert.Equal(t, 9999.0, list[10001])
	_, err = ch.Add("l", 1)
	assert.ErrorIs(t, err, graflow.ErrNotANumber)

	_, err = ch.Append("ttl", 1, graflow.WithTTL(time.Second))
	require.NoError(t, err)
	_, err = ch.Append("ttl", 2)
	require.NoError(t, err)
	now = now.Add(2 * time.Second)
	n, err = ch.Append("ttl", 3)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "an expired list starts again")
	require.NoError(t, ch.Set("ttl", "text"))
	_, err = ch.Append("ttl", 4)
	assert.ErrorIs(t, err, graflow.ErrNotAList)
	assert.JSONEq(t, `"text"`, string(engine.Entries(ch)["ttl"].Value))
}

// With ResultsUnknown, a task result not sent is fetched when read, and
// Keys asks for the whole list once; other unknown keys stay absent.
func TestChannelResultsUnknown(t *testing.T) {
	src := &fakeSource{data: map[string]wire.ChannelEntry{"a.__result__": {Value: json.RawMessage(`7`)}, "k": {Value: json.RawMessage(`1`)}}, fetched: map[string]int{}}
	ch := engine.NewChannel(map[string]wire.ChannelEntry{"k": {Value: json.RawMessage(`1`)}},
		engine.ChannelOptions{Source: src, KeysKnown: true, ResultsUnknown: true})
	assert.False(t, ch.Has("other"))
	assert.Empty(t, src.fetched, "a key outside the known ones is absent")
	var v int
	require.NoError(t, ch.Get(graflow.ResultKey("a"), &v))
	assert.Equal(t, 7, v)
	assert.False(t, ch.Has(graflow.ResultKey("b")))
	assert.Equal(t, 1, src.fetched["b.__result__"])
	assert.Equal(t, []string{"a.__result__", "k"}, ch.Keys())
	assert.Equal(t, 1, src.keyCalls)
	ch.Keys()
	assert.Equal(t, 1, src.keyCalls, "asked once")
}
