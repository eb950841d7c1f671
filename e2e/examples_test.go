package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/examples"
)

// TestExamples runs every example on the real server through the cmd/worker
// process and checks its printed result.
func TestExamples(t *testing.T) {
	t.Parallel()
	env.Examples(t)
}

// A task's TaskContext.Prompts is the worker's manager: the conformance
// worker runs with --prompts-dir, and its summarize prompt wins over the
// example's bundled copy.
func TestPromptsFromWorkerDir(t *testing.T) {
	t.Parallel()
	ex, ok := examples.Get("summarize")
	require.True(t, ok)
	res, err := run(t, ex.Workflow(), ex.Options...)
	require.NoError(t, err)
	got, err := ex.Format(res)
	require.NoError(t, err)
	require.Equal(t, "user: [worker dir] CONTENT TO SUMMARIZE in 100 words", got)
}
