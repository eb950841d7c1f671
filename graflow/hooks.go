package graflow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/graflow-go/graflow/internal/core"
	"github.com/graflow-go/graflow/internal/wire"
)

// init gives the executors (through package internal/core) what they need
// of graflow values and a user never calls.
func init() {
	core.NewChannel = func(entries map[string]wire.ChannelEntry, opts core.ChannelOptions) any {
		return newChannel(entries, opts)
	}
	core.ApplyOps = func(ch any, ops []wire.ChannelOp) error { return ch.(*Channel).applyOps(ops) }
	core.RecordedOps = func(ch any) []wire.ChannelOp { return ch.(*Channel).recordedOps() }
	core.Entries = func(ch any) map[string]wire.ChannelEntry { return ch.(*Channel).snapshot() }
	core.Entry = func(ch any, key string) (wire.ChannelEntry, bool) { return ch.(*Channel).entry(key) }

	core.NewTaskContext = func(ctx context.Context, env core.TaskEnv, ch, reg any) any {
		c, _ := ch.(*Channel)
		r, _ := reg.(*Registry)
		return newTaskContext(ctx, env, c, r)
	}
	core.Commands = func(tc any) []core.Command { return tc.(*TaskContext).recorded() }
	core.Suspended = func(tc any) any {
		if s := tc.(*TaskContext).feedback; s != nil {
			if req := s.suspendedOn(); req != nil {
				return req
			}
		}
		return nil
	}

	core.LookupTask = func(reg any, name string) (core.TaskDef, bool) {
		ti, ok := reg.(*Registry).lookup(name)
		if !ok {
			return core.TaskDef{}, false
		}
		return core.TaskDef{Params: ti.Params, Options: ti.Options}, true
	}
	core.Invoke = func(reg any, name string, tc any, params map[string]json.RawMessage) (json.RawMessage, error) {
		ti, ok := reg.(*Registry).lookup(name)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrTaskNotRegistered, name)
		}
		return ti.invoke(tc.(*TaskContext), params)
	}
	core.WatchRegistry = func(reg any, fn func(string)) func() { return reg.(*Registry).watch(fn) }

	core.CompileGraph = func(wf any) core.Graph { return wf.(*Workflow).graph() }
	core.StartNode = func(wf any, start string) (string, error) { return wf.(*Workflow).startNode(start) }

	core.NewResult = func(workflowID, runID string, value json.RawMessage, ch any) any {
		c, _ := ch.(*Channel)
		return newResult(workflowID, runID, value, c)
	}
	core.NewHandle = func(exec any, workflowID, runID string) any {
		return newHandle(exec.(Executor), workflowID, runID)
	}
}
