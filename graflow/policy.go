package graflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graflow-go/graflow/internal/wire"
)

// Policy decides whether a parallel group succeeded from its members' outcomes.
// Use Strict, BestEffort, AtLeast or CriticalOnly.
type Policy interface {
	spec() wire.Policy
}

type policy wire.Policy

func (p policy) spec() wire.Policy { return wire.Policy(p) }

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

// checkPolicy reports a policy that cannot work for a group with these members.
func checkPolicy(s wire.Policy, group string, members []string) error {
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
