// Package flowgraph draws a run's graph as Mermaid (renders as-is in GitHub
// and in the Temporal Web UI's markdown) and as Graphviz dot: tasks are
// nodes, parallel groups are boxes around their members, and a node may be
// coloured by its state in a run.
package flowgraph
