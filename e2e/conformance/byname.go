package conformance

import "github.com/graflow-go/graflow/graflow"

// ByNameWorkflow is defined here, outside the examples, and run by the
// testworker when a client starts it by name: greet (Greet with the
// channel's "name" and "count") >> log_end (Step).
const ByNameWorkflow = "c_by_name"

// Workflows are the workflows the testworker runs when started by name.
func Workflows() []*graflow.Workflow {
	wf := graflow.NewWorkflow(ByNameWorkflow)
	wf.Add(graflow.Chain(Greet.Instance("greet", nil), Step.Instance("log_end", nil)))
	return []*graflow.Workflow{wf}
}
