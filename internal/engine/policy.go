package engine

import (
	"slices"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/wire"
)

// Decide applies a group's policy to its outcome: nil when the group
// succeeded, else a *graflow.ParallelGroupError.
func Decide(p wire.Policy, group string, failed []graflow.TaskFailure, succeeded []string) error {
	ok := true
	blame := failed
	switch p.Type {
	case "", "strict":
		ok = len(failed) == 0
	case "best_effort":
	case "at_least":
		ok = len(succeeded) >= p.MinSuccess
	case "critical":
		blame = nil
		for _, f := range failed {
			if slices.Contains(p.Critical, f.TaskID) {
				blame = append(blame, f)
			}
		}
		ok = len(blame) == 0
	}
	if ok {
		return nil
	}
	name := p.Type
	if name == "" {
		name = "strict"
	}
	return &graflow.ParallelGroupError{GroupID: group, Policy: name, Failed: blame, Succeeded: succeeded}
}
