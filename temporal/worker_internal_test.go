package temporal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"
)

func TestDeploymentOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    WorkerOptions
		pinned  bool
		wantErr string
	}{
		{name: "unversioned", opts: WorkerOptions{}},
		{name: "versioned", opts: WorkerOptions{DeploymentName: "etl", BuildID: "7"}, pinned: true},
		{name: "versioned, upgrade at continue-as-new", opts: WorkerOptions{DeploymentName: "etl", BuildID: "7", UpgradeOnContinueAsNew: true}, pinned: true},
		{name: "build id alone", opts: WorkerOptions{BuildID: "7"}, wantErr: `BuildID "7" needs a DeploymentName`},
		{name: "deployment alone", opts: WorkerOptions{DeploymentName: "etl"}, wantErr: `DeploymentName "etl" needs a BuildID`},
		{name: "upgrade alone", opts: WorkerOptions{UpgradeOnContinueAsNew: true}, wantErr: "UpgradeOnContinueAsNew needs a DeploymentName and a BuildID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.opts.deploymentOptions()
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrInvalidWorkerOptions)
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.pinned, d.UseVersioning)
			if tc.pinned {
				assert.Equal(t, workflow.VersioningBehaviorPinned, d.DefaultVersioningBehavior)
				assert.Equal(t, "etl:7", tc.opts.build())
			}
		})
	}
}
