package temporal

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/graflow-go/graflow/internal/wire"
)

// interpreterChange is the change id of the interpreter's version marker.
const interpreterChange = "graflow-interpreter"

// currentInterpreter is the interpreter version new runs are started with.
// The rule (internal/wire's doc says it in full): a change to the commands
// the interpreter emits for the same history, or to a limit below, adds a
// version here and a row to limitsByVersion, and keeps the old behaviour
// for runs of the older versions (if r.version >= N { new } else { old }).
//
// Versions: workflow.DefaultVersion is the interpreter of the builds before
// versions (0ff43ce on); 1 records its version and waits for a worker that
// has a task instead of failing the task (awaitWorker).
const currentInterpreter workflow.Version = 1

// historyLimits are the limits that shape a run's history: which groups run
// in children and how their branches are batched, how much of the channel
// a task is sent, when a run of local tasks continues as new.
type historyLimits struct {
	inlineBranches   int // MaxInlineBranches
	childPerBranch   int // MaxChildPerBranch
	branchesPerBatch int // BranchesPerBatch
	viewBytes        int // ChannelViewBytes
	viewValueBytes   int // ChannelViewValueBytes
	learnedKeys      int // keys remembered per task name
	localCANEvents   int // history length past which a local run continues as new
}

// limitsByVersion are the limits of each interpreter version. A row is
// never edited: runs of its version replay against it.
var limitsByVersion = map[workflow.Version]historyLimits{
	// Runs started before the interpreter recorded a version (from commit
	// 0ff43ce to the build that added this table).
	workflow.DefaultVersion: {inlineBranches: 500, childPerBranch: 50, branchesPerBatch: 500, viewBytes: 16 << 10, viewValueBytes: 1 << 10, learnedKeys: 32, localCANEvents: 4000},
	1:                       {inlineBranches: 500, childPerBranch: 50, branchesPerBatch: 500, viewBytes: 16 << 10, viewValueBytes: 1 << 10, learnedKeys: 32, localCANEvents: 4000},
}

// interpreterVersion is the version a run behaves as: the one its parent
// run or the run before continue-as-new carried over, else the one its
// first workflow task recorded (a marker event; a run recorded before
// versioning replays as workflow.DefaultVersion).
//
// A carried version this build does not know (a run continued by a newer
// build, now on an older worker after a rollback) fails the workflow task,
// as workflow.GetVersion does for a recorded one: Temporal retries the task,
// so a worker that knows the version runs it, and the run is never played
// with another version's limits.
func interpreterVersion(ctx workflow.Context, in *wire.RunInput) workflow.Version {
	var v workflow.Version
	switch {
	case in.Resume != nil && in.Resume.Interpreter != 0:
		v = workflow.Version(in.Resume.Interpreter)
	case in.Child != nil && in.Child.Interpreter != 0:
		v = workflow.Version(in.Child.Interpreter)
	default:
		return workflow.GetVersion(ctx, interpreterChange, workflow.DefaultVersion, currentInterpreter)
	}
	if _, ok := limitsByVersion[v]; !ok {
		panic(fmt.Sprintf("graflow: the run carries interpreter version %d, newer than this worker's %d: a worker of a newer build must run it", v, currentInterpreter))
	}
	return v
}
