// Package examples holds one runnable workflow per pattern of Graflow's
// documentation. Importing it registers their tasks in
// graflow.DefaultRegistry; cmd/worker runs them and cmd/starter starts them
// by name. Each example prints a deterministic result.
package examples
