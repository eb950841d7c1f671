package main

import (
	"fmt"
	"os"

	_ "github.com/graflow-go/graflow/examples" // registers the examples' tasks
	"github.com/graflow-go/graflow/internal/workercmd"
)

func main() {
	if err := workercmd.Command("worker").Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
