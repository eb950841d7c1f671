package runview

import (
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/converter"
)

// deploymentVersionAttribute is the system search attribute holding a
// versioned run's "<deployment>:<build id>".
const deploymentVersionAttribute = "TemporalWorkerDeploymentVersion"

// Build is the Worker Deployment version a run is on, as
// "<deployment>:<build id>" with its versioning behavior ("pinned",
// "auto-upgrade"), or "" for a run of unversioned workers. It reads the
// run's versioning info (describe) or, in a listing, its search attribute.
func Build(info *workflowpb.WorkflowExecutionInfo) string {
	vi := info.GetVersioningInfo()
	if v := vi.GetDeploymentVersion(); v.GetBuildId() != "" {
		build := v.GetDeploymentName() + ":" + v.GetBuildId()
		switch vi.GetBehavior() {
		case enumspb.VERSIONING_BEHAVIOR_PINNED:
			build += " (pinned)"
		case enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE:
			build += " (auto-upgrade)"
		}
		return build
	}
	var build string
	if p := info.GetSearchAttributes().GetIndexedFields()[deploymentVersionAttribute]; p != nil {
		_ = converter.GetDefaultDataConverter().FromPayload(p, &build)
	}
	return build
}
