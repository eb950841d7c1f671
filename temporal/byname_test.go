package temporal_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/graflow-go/graflow/activities"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/failures"
	"github.com/graflow-go/graflow/internal/wire"
	"github.com/graflow-go/graflow/temporal"
)

// byNameEnv is a test environment whose worker knows the workflow "greeting":
// hello (reads "name") >> shout.
func byNameEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	reg := graflow.NewRegistry()
	hello := graflow.NewTask("hello", func(ctx *graflow.TaskContext, in struct {
		Name string `json:"name"`
	}) (string, error) {
		return "hello " + in.Name, nil
	}, graflow.WithRegistry(reg))
	shout := graflow.NewTask("shout", func(ctx *graflow.TaskContext, in struct {
		Hello string `json:"hello"`
	}) (string, error) {
		return in.Hello + "!", nil
	}, graflow.WithRegistry(reg))
	wf := graflow.NewWorkflow("greeting")
	wf.Add(graflow.Chain(hello, shout))
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	require.NoError(t, temporal.Register(env, reg, activities.NewRunner(reg, nil, slog.New(slog.DiscardHandler)), "q", wf))
	return env
}

func TestStartByName(t *testing.T) {
	tests := []struct {
		name string
		args []any
		want string
	}{
		{"no input", nil, "hello !"},
		{"null", []any{nil}, "hello !"},
		{"channel", []any{map[string]any{"channel": map[string]any{"name": "ada"}}}, "hello ada!"},
		{"start", []any{map[string]any{"channel": map[string]any{"hello": "hi"}, "start": "shout"}}, "hi!"},
		{"raw JSON", []any{json.RawMessage(`{"channel": {"name": "bob"}}`)}, "hello bob!"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := byNameEnv(t)
			env.ExecuteWorkflow("greeting", tc.args...)
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var out wire.RunOutput
			require.NoError(t, env.GetWorkflowResult(&out))
			var got string
			require.NoError(t, json.Unmarshal(out.Value, &got))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStartByNameRefused(t *testing.T) {
	tests := []struct {
		name     string
		workflow string
		args     []any
		sentinel error
		says     []string
	}{
		{"unknown type", "nope", nil, graflow.ErrWorkflowNotRegistered, []string{`"nope"`, `task queue "default-test-taskqueue"`, "registered: greeting"}},
		{"not an object", "greeting", []any{[]int{1}}, graflow.ErrInvalidInput, []string{`"greeting"`, "[1]"}},
		{"a string", "greeting", []any{"items=a"}, graflow.ErrInvalidInput, []string{`"items=a"`}},
		{"unknown field", "greeting", []any{map[string]any{"chanel": map[string]any{}}}, graflow.ErrInvalidInput, []string{`unknown field "chanel"`}},
		{"channel not an object", "greeting", []any{map[string]any{"channel": []int{1}}}, graflow.ErrInvalidInput, []string{"channel"}},
		{"unknown start", "greeting", []any{map[string]any{"start": "nowhere"}}, graflow.ErrInvalidInput, []string{`"nowhere"`, "hello, shout"}},
		{"compiled input without nodes", "greeting", []any{map[string]any{"spec": map[string]any{}}}, graflow.ErrInvalidInput, []string{"without nodes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := byNameEnv(t)
			env.ExecuteWorkflow(tc.workflow, tc.args...)
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			require.Error(t, err)
			decoded := failures.Decode(err)
			assert.ErrorIs(t, decoded, tc.sentinel)
			for _, s := range tc.says {
				assert.Contains(t, decoded.Error(), s)
			}
		})
	}
}

func TestRegisterRefusesBadWorkflows(t *testing.T) {
	reg := graflow.NewRegistry()
	graflow.NewTask("t", func(*graflow.TaskContext, graflow.None) (int, error) { return 1, nil }, graflow.WithRegistry(reg))
	a, b := graflow.NewWorkflow("same"), graflow.NewWorkflow("same")
	empty := graflow.NewWorkflow("empty")
	var suite testsuite.WorkflowTestSuite
	err := temporal.Register(suite.NewTestWorkflowEnvironment(), reg, activities.NewRunner(reg, nil, nil), "q", a, b, empty)
	require.Error(t, err)
	assert.True(t, errors.Is(err, graflow.ErrInvalidGraph))
	assert.Contains(t, err.Error(), `two workflows named "same"`)
	assert.Contains(t, err.Error(), `"empty" has no tasks`)
}
