package graflow

import (
	"fmt"
	"slices"
	"strings"
)

// Policy decides whether a parallel group succeeded from its members' outcomes.
// Use Strict, BestEffort, AtLeast or CriticalOnly.
type Policy interface {
	// Spec returns the serialisable form of the policy.
	Spec() PolicySpec
}

// PolicySpec is the wire form of a Policy.
type PolicySpec struct {
	Type       string   `json:"type"`
	MinSuccess int      `json:"min_success,omitempty"`
	Critical   []string `json:"critical,omitempty"`
}

type policy PolicySpec

// Spec returns the policy as a PolicySpec.
func (p policy) Spec() PolicySpec { return PolicySpec(p) }

// Strict requires every member to succeed (the default).
func Strict() Policy { return policy{Type: "strict"} }

// BestEffort lets the group succeed whatever its members do.
func BestEffort() Policy { return policy{Type: "best_effort"} }

// AtLeast requires n members to succeed.
func AtLeast(n int) Policy { return policy{Type: "at_least", MinSuccess: n} }

// CriticalOnly requires the named members to succeed; the others may fail.
func CriticalOnly(ids ...string) Policy {
	return policy{Type: "critical", Critical: slices.Clone(ids)}
}

// Check reports a policy that cannot work for a group with these members.
func (s PolicySpec) Check(group string, members []string) error {
	switch s.Type {
	case "", "strict", "best_effort":
		return nil
	case "at_least":
		if s.MinSuccess < 0 || s.MinSuccess > len(members) {
			return fmt.Errorf("%w: group %q: AtLeast(%d) needs 0 <= n <= %d members", ErrInvalidGraph, group, s.MinSuccess, len(members))
		}
		return nil
	case "critical":
		if len(s.Critical) == 0 {
			return fmt.Errorf("%w: group %q: CriticalOnly needs at least one task id", ErrInvalidGraph, group)
		}
		var unknown []string
		for _, id := range s.Critical {
			if !slices.Contains(members, id) {
				unknown = append(unknown, id)
			}
		}
		if len(unknown) > 0 {
			return fmt.Errorf("%w: group %q: critical task ids [%s] are not members", ErrInvalidGraph, group, strings.Join(unknown, ", "))
		}
		return nil
	default:
		return fmt.Errorf("%w: group %q: unknown policy %q", ErrInvalidGraph, group, s.Type)
	}
}

// Decide applies the policy to a group's outcome: nil when the group
// succeeded, else a *ParallelGroupError.
func (s PolicySpec) Decide(group string, failed []TaskFailure, succeeded []string) error {
	ok := true
	blame := failed
	switch s.Type {
	case "", "strict":
		ok = len(failed) == 0
	case "best_effort":
	case "at_least":
		ok = len(succeeded) >= s.MinSuccess
	case "critical":
		blame = nil
		for _, f := range failed {
			if slices.Contains(s.Critical, f.TaskID) {
				blame = append(blame, f)
			}
		}
		ok = len(blame) == 0
	}
	if ok {
		return nil
	}
	name := s.Type
	if name == "" {
		name = "strict"
	}
	return &ParallelGroupError{GroupID: group, Policy: name, Failed: blame, Succeeded: succeeded}
}
