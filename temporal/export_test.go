package temporal

import "maps"

// UngatedLimitChange changes, until undo is called, a limit of every
// interpreter version without adding a version: static groups of more than
// one branch then run in child workflows. It stands for the mistake the
// replay tests exist to catch.
func UngatedLimitChange() (undo func()) {
	saved := maps.Clone(limitsByVersion)
	for v, l := range limitsByVersion {
		l.inlineBranches = 1
		limitsByVersion[v] = l
	}
	return func() { limitsByVersion = saved }
}
