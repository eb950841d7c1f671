package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
)

// outputFlags are the flags of the commands that print a run's result.
type outputFlags struct {
	quiet bool
	json  bool
}

func (f *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "print no progress on stderr")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result as JSON (workflow_id, run_id, value, channel) on stdout")
}

// resultJSON is a result as --json prints it.
type resultJSON struct {
	WorkflowID string                     `json:"workflow_id"`
	RunID      string                     `json:"run_id"`
	Value      json.RawMessage            `json:"value"`
	Channel    map[string]json.RawMessage `json:"channel"`
}

// print writes res on w: as JSON with --json, else formatted by ex.
func (f *outputFlags) print(w io.Writer, ex *examples.Example, res *graflow.Result, lenient bool) error {
	if f.json {
		out := resultJSON{WorkflowID: res.WorkflowID, RunID: res.RunID, Value: json.RawMessage(rawJSON(res)), Channel: map[string]json.RawMessage{}}
		if res.Channel != nil {
			for _, k := range res.Channel.Keys() {
				out.Channel[k], _ = res.Channel.Raw(k)
			}
		}
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encoding the result of %s: %w", res.WorkflowID, err)
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	}
	out, err := formatResult(ex, res)
	if err != nil && lenient {
		// A guessed example that does not fit: show the raw value.
		out, err = rawJSON(res), nil
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, out)
	return err
}
