package temporal

// Tests of the run-input checks.

import (
	"strings"
	"testing"

	"github.com/graflow-go/graflow/internal/wire"
	"github.com/stretchr/testify/assert"
)

// A run input over the payload limit (a child's channel snapshot, the state
// carried by continue-as-new) is refused with the largest key named.
func TestCheckRunInput(t *testing.T) {
	small := wire.RunInput{Channel: map[string]wire.ChannelEntry{"a": {Value: []byte(`1`)}}}
	assert.NoError(t, checkRunInput("x", &small))
	big := wire.RunInput{Channel: map[string]wire.ChannelEntry{
		"a":    {Value: []byte(`1`)},
		"blob": {Value: []byte(`"` + strings.Repeat("x", 3<<20) + `"`)},
	}}
	err := checkRunInput("the input of child w/g/m", &big)
	assert.ErrorContains(t, err, `the input of child w/g/m is`)
	assert.ErrorContains(t, err, `the channel's largest value is "blob"`)
}
