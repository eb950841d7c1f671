package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/wire"
)

func TestDecide(t *testing.T) {
	fail := []graflow.TaskFailure{{TaskID: "a", Message: "x"}}
	tests := []struct {
		name      string
		policy    wire.Policy
		failed    []graflow.TaskFailure
		succeeded []string
		ok        bool
	}{
		{"strict, all succeeded", wire.Policy{Type: "strict"}, nil, []string{"a", "b"}, true},
		{"strict, one failed", wire.Policy{Type: "strict"}, fail, []string{"b"}, false},
		{"unset is strict", wire.Policy{}, fail, []string{"b"}, false},
		{"best effort", wire.Policy{Type: "best_effort"}, fail, nil, true},
		{"at least 1 of 1", wire.Policy{Type: "at_least", MinSuccess: 1}, fail, []string{"b"}, true},
		{"at least 2 of 1", wire.Policy{Type: "at_least", MinSuccess: 2}, fail, []string{"b"}, false},
		{"critical member succeeded", wire.Policy{Type: "critical", Critical: []string{"b"}}, fail, []string{"b"}, true},
		{"critical member failed", wire.Policy{Type: "critical", Critical: []string{"a"}}, fail, []string{"b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := engine.Decide(tt.policy, "g", tt.failed, tt.succeeded)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			var pge *graflow.ParallelGroupError
			require.ErrorAs(t, err, &pge)
			assert.Equal(t, "g", pge.GroupID)
		})
	}

	var pge *graflow.ParallelGroupError
	require.ErrorAs(t, engine.Decide(wire.Policy{Type: "strict"}, "g", fail, []string{"b"}), &pge)
	assert.Equal(t, &graflow.ParallelGroupError{GroupID: "g", Policy: "strict", Failed: fail, Succeeded: []string{"b"}}, pge)
	assert.Contains(t, pge.Error(), `parallel group "g" failed (strict policy): 1 failed [a: x], 1 succeeded`)
}
