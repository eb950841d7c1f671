package conformance

import (
	"fmt"

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
