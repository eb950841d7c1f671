package graflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type Embedded struct {
	Region string `json:"region"`
}

type paramsIn struct {
	Tagged   string `graflow:"k"`
	JSON     int    `json:"json_key,omitempty"`
	Both     bool   `graflow:"from_graflow" json:"from_json"`
	Plain    []string
	Ptr      *int   `json:"ptr"`
	Skipped  string `graflow:"-"`
	JSONSkip string `json:"-"`
	//lint:ignore SA5008 encoding/json's way to name a field "-" is what this tests
	Dash     string `json:"-,"`
	EmptyTag string `graflow:"" json:"empty_json"`
	hidden   string // unexported fields are not parameters
	*Embedded
}

type paramsOut struct {
	Tagged   string
	JSON     int
	Both     bool
	Plain    []string
	Ptr      *int
	Skipped  string
	JSONSkip string
	Dash     string
	EmptyTag string
	Region   string
	TaskID   string
}

func paramsTask(t *testing.T) (*graflow.Registry, registered) {
	t.Helper()
	r := graflow.NewRegistry()
	graflow.NewTask("params", func(tc *graflow.TaskContext, in paramsIn) (paramsOut, error) {
		out := paramsOut{Tagged: in.Tagged, JSON: in.JSON, Both: in.Both, Plain: in.Plain, Ptr: in.Ptr,
			Skipped: in.Skipped, JSONSkip: in.JSONSkip, Dash: in.Dash, EmptyTag: in.EmptyTag, TaskID: tc.TaskID()}
		if in.Embedded != nil {
			out.Region = in.Region
		}
		_ = in.hidden
		return out, nil
	}, graflow.WithRegistry(r))
	return r, lookup(t, r, "params")
}

// registered is a task of a registry as an executor sees it.
type registered struct {
	reg  *graflow.Registry
	name string
	engine.TaskDef
}

func lookup(t *testing.T, r *graflow.Registry, name string) registered {
	t.Helper()
	def, ok := engine.LookupTask(r, name)
	require.True(t, ok, name)
	return registered{r, name, def}
}

func (ti registered) Invoke(tc *graflow.TaskContext, params map[string]json.RawMessage) (json.RawMessage, error) {
	return engine.Invoke(ti.reg, ti.name, tc, params)
}

func invoke(t *testing.T, info registered, params map[string]string) (paramsOut, error) {
	t.Helper()
	raw := map[string]json.RawMessage{}
	for k, v := range params {
		raw[k] = json.RawMessage(v)
	}
	tc := engine.NewTaskContext(context.Background(), engine.TaskEnv{TaskID: "t"}, nil, nil)
	res, err := info.Invoke(tc, raw)
	var out paramsOut
	if err == nil {
		require.NoError(t, json.Unmarshal(res, &out))
	}
	return out, err
}

func TestParamKeys(t *testing.T) {
	_, info := paramsTask(t)
	assert.Equal(t, []string{"k", "json_key", "from_graflow", "Plain", "ptr", "-", "empty_json", "region"}, info.Params)
}

func TestParamDecoding(t *testing.T) {
	_, info := paramsTask(t)
	seven := 7
	tests := []struct {
		name   string
		params map[string]string
		want   paramsOut
	}{
		{"all keys", map[string]string{
			"k": `"tag"`, "json_key": `3`, "from_graflow": `true`, "Plain": `["a","b"]`, "ptr": `7`,
			"-": `"dash"`, "empty_json": `"e"`, "region": `"eu"`,
		}, paramsOut{Tagged: "tag", JSON: 3, Both: true, Plain: []string{"a", "b"}, Ptr: &seven, Dash: "dash", EmptyTag: "e", Region: "eu", TaskID: "t"}},
		{"absent keys give zero values", map[string]string{}, paramsOut{TaskID: "t"}},
		{"skipped and unknown keys are ignored", map[string]string{
			"Skipped": `"x"`, "JSONSkip": `"y"`, "hidden": `"z"`, "from_json": `true`, "Tagged": `"no"`, "EmptyTag": `"no"`, "other": `1`,
		}, paramsOut{TaskID: "t"}},
		{"null keeps the zero value", map[string]string{"ptr": `null`, "json_key": `null`, "Plain": `null`}, paramsOut{TaskID: "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := invoke(t, info, tt.params)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
		})
	}
}

func TestParamDecodeError(t *testing.T) {
	_, info := paramsTask(t)
	tests := []struct {
		params map[string]string
		field  string
		key    string
	}{
		{map[string]string{"json_key": `"42"`}, "JSON", "json_key"}, // no type conversion
		{map[string]string{"k": `1`}, "Tagged", "k"},
		{map[string]string{"Plain": `{"a":1}`}, "Plain", "Plain"},
		{map[string]string{"region": `5`}, "Region", "region"},
		{map[string]string{"ptr": `not json`}, "Ptr", "ptr"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := invoke(t, info, tt.params)
			require.Error(t, err)
			var pe *graflow.ParamError
			require.True(t, errors.As(err, &pe), "%T: %v", err, err)
			assert.Equal(t, "params", pe.Task)
			assert.Equal(t, tt.field, pe.Field)
			assert.Equal(t, tt.key, pe.Key)
			assert.Error(t, pe.Unwrap())
			assert.Contains(t, err.Error(), `task "params"`)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestInvokeResults(t *testing.T) {
	r := graflow.NewRegistry()
	boom := errors.New("boom")
	graflow.NewTask("none", func(*graflow.TaskContext, graflow.None) (graflow.None, error) { return graflow.None{}, nil }, graflow.WithRegistry(r))
	graflow.NewTask("fails", func(*graflow.TaskContext, graflow.None) (int, error) { return 0, boom }, graflow.WithRegistry(r))
	graflow.NewTask("unmarshalable", func(*graflow.TaskContext, graflow.None) (func(), error) { return func() {}, nil }, graflow.WithRegistry(r))
	graflow.NewTask("calc", add, graflow.WithRegistry(r))
	tc := engine.NewTaskContext(context.Background(), engine.TaskEnv{TaskID: "t", Attempt: 2}, nil, nil)

	info := lookup(t, r, "none")
	out, err := info.Invoke(tc, nil)
	require.NoError(t, err)
	assert.Equal(t, "null", string(out))

	info = lookup(t, r, "fails")
	_, err = info.Invoke(tc, nil)
	assert.ErrorIs(t, err, boom)

	info = lookup(t, r, "unmarshalable")
	_, err = info.Invoke(tc, nil)
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "t", te.TaskID)
	assert.Equal(t, 2, te.Attempt)

	info = lookup(t, r, "calc")
	out, err = info.Invoke(tc, map[string]json.RawMessage{"x": json.RawMessage(`5`), "y": json.RawMessage(`3`)})
	require.NoError(t, err)
	assert.Equal(t, "8", string(out))

	_, err = engine.Invoke(r, "ghost", tc, nil)
	assert.ErrorIs(t, err, graflow.ErrTaskNotRegistered)
}

func TestParamKeyClash(t *testing.T) {
	r := graflow.NewRegistry()
	type clash struct {
		A int `json:"k"`
		B int `graflow:"k"`
	}
	bad := graflow.NewTask("clash", func(*graflow.TaskContext, clash) (int, error) { return 0, nil }, graflow.WithRegistry(r))
	wf := graflow.NewWorkflow("w")
	wf.Add(bad)
	err := wf.Validate()
	assert.ErrorIs(t, err, graflow.ErrInvalidGraph)
	assert.ErrorContains(t, err, `share the key "k"`)
}

type unexportedEmbed struct {
	Zone string `json:"zone"`
}

func TestParamThroughNilUnexportedEmbeddedPointer(t *testing.T) {
	type in struct {
		*unexportedEmbed
	}
	r := graflow.NewRegistry()
	graflow.NewTask("emb", func(*graflow.TaskContext, in) (int, error) { return 0, nil }, graflow.WithRegistry(r))
	info := lookup(t, r, "emb")
	assert.Equal(t, []string{"zone"}, info.Params)
	tc := engine.NewTaskContext(context.Background(), engine.TaskEnv{TaskID: "t"}, nil, nil)
	_, err := info.Invoke(tc, map[string]json.RawMessage{"zone": json.RawMessage(`"z"`)})
	var pe *graflow.ParamError
	require.ErrorAs(t, err, &pe, "an error, not a panic")
	assert.Equal(t, "Zone", pe.Field)
	_, err = info.Invoke(tc, nil)
	assert.NoError(t, err)
}
