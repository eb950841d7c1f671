package temporal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPollWindow(t *testing.T) {
	tests := []struct {
		waited, want time.Duration
	}{
		{0, 250 * time.Millisecond},
		{900 * time.Millisecond, 250 * time.Millisecond},
		{2 * time.Second, 500 * time.Millisecond},
		{40 * time.Second, 10 * time.Second},
		{80 * time.Second, 20 * time.Second},
		{7 * 24 * time.Hour, 20 * time.Second},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, pollWindow(tc.waited), "after %v", tc.waited)
	}
}
