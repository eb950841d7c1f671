package temporal

// Tests of the task lifecycle's unexported helpers.

import (
	"testing"
	"time"

	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
)

// Scenario 113: delays initial * factor^k, capped; none without a policy.
func TestRetryDelay(t *testing.T) {
	s := time.Second
	tests := []struct {
		name   string
		policy *wire.RetryPolicy
		want   []time.Duration
	}{
		{"no policy, no sleeping", nil, []time.Duration{0, 0, 0}},
		{"1 s doubling", &wire.RetryPolicy{InitialInterval: s, BackoffCoefficient: 2}, []time.Duration{s, 2 * s, 4 * s}},
		{"factor 100 capped at 5 s", &wire.RetryPolicy{InitialInterval: s, BackoffCoefficient: 100, MaximumInterval: 5 * s}, []time.Duration{s, 5 * s, 5 * s}},
		{"defaults: 1 s, factor 2, cap 60 s", &wire.RetryPolicy{}, []time.Duration{s, 2 * s, 4 * s}},
		{"cap below the initial interval", &wire.RetryPolicy{InitialInterval: 10 * s, MaximumInterval: s}, []time.Duration{10 * s, 10 * s}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, want := range tc.want {
				assert.Equal(t, want, retryDelay(tc.policy, i+1), "retry %d", i+1)
			}
		})
	}
}
