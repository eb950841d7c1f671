// Package engine is the executors' view of package graflow: building
// channels and task contexts, running a registered task, reading a
// workflow's graph and a task's commands, deciding a group's policy, and
// converting graflow's user types to and from their wire form (package
// internal/wire). Packages temporal, activities and graflowtest use it; a
// user never does, so none of it is in graflow's API.
package engine
