package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/graflow-go/graflow/examples"
)

// newListCmd builds `starter list`: the known workflows as
// name<TAB>description lines on stdout; those that wait for a person say so.
func newListCmd(*app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the workflows that run and start know",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			for _, ex := range examples.All() {
				if _, err := fmt.Fprintf(out, "%s\t%s\n", ex.Name, ex.Description); err != nil {
					return fmt.Errorf("writing the list: %w", err)
				}
			}
			for _, ex := range examples.AllInteractive() {
				answer := "starter feedback " + ex.Answer[0] + " <workflow-id> " + strings.Join(ex.Answer[1:], " ")
				if _, err := fmt.Fprintf(out, "%s\t%s (waits for: %s)\n", ex.Name, ex.Description, answer); err != nil {
					return fmt.Errorf("writing the list: %w", err)
				}
			}
			return nil
		},
	}
}
