package temporal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/sdk/workflow"
)

// The exported limits are those of the current version: changing one
// without adding a version (and a row) fails here.
func TestExportedLimitsAreTheCurrentVersion(t *testing.T) {
	l := limitsByVersion[currentInterpreter]
	assert.Equal(t, MaxInlineBranches, l.inlineBranches)
	assert.Equal(t, MaxChildPerBranch, l.childPerBranch)
	assert.Equal(t, BranchesPerBatch, l.branchesPerBatch)
	assert.Equal(t, ChannelViewBytes, l.viewBytes)
	assert.Equal(t, ChannelViewValueBytes, l.viewValueBytes)
}

// Every version from before versioning to the current one has its limits.
func TestEveryVersionHasLimits(t *testing.T) {
	for v := workflow.DefaultVersion; v <= currentInterpreter; v++ {
		if v == 0 {
			continue // versions count from 1; DefaultVersion is -1
		}
		l, ok := limitsByVersion[v]
		assert.True(t, ok, "version %d has no limits", v)
		assert.NotZero(t, l.inlineBranches, "version %d", v)
	}
}
