// Package runview reads what a graflow run did from its Temporal history:
// its graph with the nodes added at run time, each task's state, attempts,
// duration and worker, its dynamic groups' child runs, its channel keys.
// The history is the only source: a finished run, a run without any worker
// polling and a run across server restarts are described alike, and
// reading it adds nothing to the run. The starter's describe, graph and
// progress output are built on it.
package runview
