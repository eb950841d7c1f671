package signals_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/signals"
)

// The documented payload decodes field by field.
func TestParseDocumentedPayload(t *testing.T) {
	a, err := signals.ParseAnswer([]byte(`{"request_id": "r", "approved": true, "value": "v", "values": ["a"], "data": {"k": 1}, "reason": "why", "responded_by": "bob"}`))
	require.NoError(t, err)
	assert.Equal(t, "r", a.RequestID)
	require.NotNil(t, a.Approved)
	assert.True(t, *a.Approved)
	require.NotNil(t, a.Value)
	assert.Equal(t, "v", *a.Value)
	assert.Equal(t, []string{"a"}, a.Values)
	assert.Equal(t, map[string]any{"k": float64(1)}, a.Data)
	assert.Equal(t, "why", a.Reason)
	assert.Equal(t, "bob", a.RespondedBy)
}

func TestParseAnswerErrors(t *testing.T) {
	for payload, want := range map[string]string{
		`[]`:                                   `the answer must be a JSON object like {"request_id": "...", "approved": true}, got []`,
		`null`:                                 `the answer must be a JSON object like {"request_id": "...", "approved": true}, got null`,
		`{"approved": true}`:                   `the answer has no "request_id"`,
		`{"request_id": 1}`:                    `"request_id" must be a string, got 1`,
		`{"request_id": "r", "values": "a"}`:   `"values" must be a list of strings, got "a"`,
		`{"request_id": "r", "data": [1]}`:     `"data" must be a JSON object, got [1]`,
		`{"request_id": "r", "approve": true}`: `unknown field "approve" in the answer (fields: request_id, approved, value, values, data, reason, responded_by)`,
	} {
		_, err := signals.ParseAnswer([]byte(payload))
		assert.EqualError(t, err, want, payload)
	}
}

// Empty lists and objects are answers; null is no answer.
func TestEmptyIsNotAbsent(t *testing.T) {
	a, err := signals.ParseAnswer([]byte(`{"request_id": "r", "values": [], "data": {}, "value": null}`))
	require.NoError(t, err)
	assert.NotNil(t, a.Values)
	assert.NotNil(t, a.Data)
	assert.Nil(t, a.Value)
	raw, err := json.Marshal(signals.Select("r"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"request_id": "r", "values": []}`, string(raw))
	raw, err = json.Marshal(signals.Approve("r"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"request_id": "r", "approved": true}`, string(raw))
}

func TestCheckAndResponse(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	multi := graflow.FeedbackRequest{ID: "m", Type: graflow.MultiSelection, Options: []string{"a", "b", "c"}}
	require.NoError(t, signals.Check(multi, signals.Select("m", "c", "a")))
	assert.Equal(t, []string{"c", "a"}, signals.Response(multi, signals.Select("m", "c", "a"), at).Values)
	require.NoError(t, signals.Check(multi, signals.Select("m", "b")), "a single value answers a multi-selection")
	assert.Equal(t, []string{"b"}, signals.Response(multi, signals.Select("m", "b"), at).Values)
	assert.EqualError(t, signals.Check(multi, signals.Select("m", "a", "a")), `"a" is chosen twice for request "m"`)
	assert.EqualError(t, signals.Check(multi, signals.Select("m", "z")), `"z" is not an option of request "m" (options: a, b, c)`)

	sel := graflow.FeedbackRequest{ID: "s", Type: graflow.Selection, Options: []string{"a", "b"}}
	one := signals.Answer{RequestID: "s", Values: []string{"b"}}
	require.NoError(t, signals.Check(sel, one), "a one-element values answers a selection")
	assert.Equal(t, "b", signals.Response(sel, one, at).Value)
	both := signals.Answer{RequestID: "s", Value: ptr("a"), Values: []string{"a"}}
	assert.EqualError(t, signals.Check(sel, both), `give "value" or "values" for request "s", not both`)

	approval := graflow.FeedbackRequest{ID: "ok", Type: graflow.Approval, Approvers: []string{"alice", "bob"}}
	assert.EqualError(t, signals.Check(approval, signals.Text("ok", "yes")), `"value" does not answer an approval request "ok" (it wants "approved")`)
	noAnswer := signals.Answer{RequestID: "ok", RespondedBy: "alice"}
	assert.EqualError(t, signals.Check(approval, noAnswer), `An approval request "ok" needs "approved" in the answer`)
	yes := signals.Approve("ok")
	yes.RespondedBy = "bob"
	require.NoError(t, signals.Check(approval, yes))
	r := signals.Response(approval, yes, at)
	assert.True(t, r.Approved)
	assert.Equal(t, "bob", r.RespondedBy)
	assert.Equal(t, at, r.RespondedAt)
	assert.EqualError(t, signals.Check(approval, signals.Approve("other")), `the answer is for "other", not "ok"`)

	custom := graflow.FeedbackRequest{ID: "c", Type: graflow.Custom}
	assert.EqualError(t, signals.Check(custom, signals.Text("c", "x")), `"value" does not answer a custom request "c" (it wants "data")`)
	require.NoError(t, signals.Check(custom, signals.Custom("c", nil)))
	assert.Equal(t, map[string]any{}, signals.Response(custom, signals.Custom("c", nil), at).Data)
}

func ptr[T any](v T) *T { return &v }
