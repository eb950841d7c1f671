package conformance

import (
	"fmt"
	"os"

	"github.com/graflow-go/graflow/graflow"
)

// Tasks of the encrypted-payloads test: each moves the bound or channel
// "secret" into a place that reaches the run's history.

// EncryptedQueue is the task queue of the encrypted-payloads test, polled by
// a worker with an encryption key file.
const EncryptedQueue = "encrypted"

// SecretStep fails its first attempt with an error quoting "secret", then
// takes a checkpoint whose metadata holds it, sets the channel key
// "derived" to "derived-<secret>" and returns "result-<secret>".
var SecretStep = graflow.NewTask("c_secret_step", func(ctx *graflow.TaskContext, in struct {
	Secret string `json:"secret"`
}) (string, error) {
	if ctx.Attempt() == 1 {
		return "", fmt.Errorf("first attempt refuses %s", in.Secret)
	}
	ctx.Checkpoint(map[string]any{"secret": in.Secret})
	if err := ctx.Channel().Set("derived", "derived-"+in.Secret); err != nil {
		return "", err
	}
	return "result-" + in.Secret, nil
}, graflow.WithMaxRetries(1))

// SecretSpawn adds the dynamic group "asks": Ask "ask" (text request
// "password", answer written to the channel key "answer") | Nothing
// "other", so that "ask" asks in a child run (<workflow id>/asks/ask).
var SecretSpawn = graflow.NewTask("c_secret_spawn", func(ctx *graflow.TaskContext, _ graflow.None) (string, error) {
	ask := Ask.Instance("ask", graflow.Params{"id": "password", "kind": string(graflow.Text), "message": "Password?", "channel_key": "answer"})
	return ctx.TaskID(), ctx.NextTask(graflow.Parallel(ask, Nothing.Instance("other", nil)).Named("asks"))
})

// Gate fails until the file at "path" exists (the bug is fixed), then
// returns "gate open".
var Gate = graflow.NewTask("c_gate", func(ctx *graflow.TaskContext, in traceIn) (string, error) {
	if _, err := os.Stat(in.Path); err != nil {
		return "", graflow.NonRetryable(fmt.Errorf("gate closed: %w", err))
	}
	return "gate open", nil
})
