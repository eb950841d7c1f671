package main

import (
	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/worker"
)

func main() {
	worker.Main(worker.Config{Name: "worker", Workflows: examples.Workflows()})
}
