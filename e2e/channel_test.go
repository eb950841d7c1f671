package e2e_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/temporal"
)

// An append to a key holding a string fails the task at once (no retries,
// WithMaxRetries notwithstanding) with an error naming the task and the key,
// whether the value was sent with the task (the conflict is seen in the
// task, and the ignored error still fails it) or not (the write is merged
// by the workflow, which finds the conflict).
func TestChannelWriteConflict(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{"value at hand", "text"},
		{"value too large to be sent", strings.Repeat("x", 2*temporal.ChannelViewBytes)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := run(t, flow(t, c.AppendTo.Instance("careless", graflow.Params{"key": "name"})),
				graflow.InitialChannel(map[string]any{"name": tc.value}))
			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second)
			var te *graflow.TaskError
			require.True(t, errors.As(err, &te), "%v", err)
			assert.Equal(t, "careless", te.TaskID)
			assert.ErrorIs(t, err, graflow.ErrNotAList)
			assert.Contains(t, err.Error(), `key "name"`)
		})
	}
}
