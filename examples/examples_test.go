package examples_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/temporal/graflowtest"
)

func TestExamplesInTestEnvironment(t *testing.T) {
	exec := graflowtest.NewExecutor(nil)
	require.NotEmpty(t, examples.All())
	for _, ex := range examples.All() {
		t.Run(ex.Name, func(t *testing.T) {
			require.NotEmpty(t, ex.Output, "example %q documents no output", ex.Name)
			got, err := ex.Printed(ex.Workflow().Execute(context.Background(), exec, ex.Options...))
			require.NoError(t, err)
			require.Equal(t, ex.Output, got)
		})
	}
}
