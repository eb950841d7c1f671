// Command testworker is cmd/worker with the conformance tests' tasks added:
// the end-to-end tests run it as a separate process.
package main

import (
	"fmt"
	"os"

	_ "github.com/graflow-go/graflow/e2e/conformance" // registers the conformance tasks
	_ "github.com/graflow-go/graflow/examples"        // registers the examples' tasks
	"github.com/graflow-go/graflow/internal/workercmd"
)

func main() {
	if err := workercmd.Command("testworker").Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
