// Command testworker is a user-style worker built on the public worker
// package: cmd/worker's command line with the conformance tests' tasks and
// workflows added. The end-to-end tests run it as a separate process.
package main

import (
	"github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/worker"
)

func main() {
	worker.Main(worker.Config{Name: "testworker", Workflows: append(examples.Workflows(), conformance.Workflows()...)})
}
