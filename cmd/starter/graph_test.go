package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/internal/testutil"
)

// The static graphs of three examples (a diamond, nested stages, and the
// dynamic fan-out before it runs), in both formats.
func TestGraphGolden(t *testing.T) {
	for _, name := range []string{"diamond", "complex", "create_workers"} {
		for _, format := range []string{"mermaid", "dot"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				out, _, err := execute(t, "graph", name, "--format", format)
				require.NoError(t, err)
				testutil.Golden(t, "graph/"+name+"."+format, out)
			})
		}
	}
}

func TestGraphUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"graph"}, "give a workflow name (see starter list) or --workflow-id"},
		{[]string{"graph", "diamond", "--workflow-id", "x"}, "not both"},
		{[]string{"graph", "nope"}, `unknown workflow "nope" (known: agent_loop, `},
		{[]string{"graph", "diamond", "--format", "svg"}, `unknown --format "svg" (want mermaid or dot)`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, _, err := execute(t, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
