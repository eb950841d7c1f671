package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/graflow-go/graflow/codec"
	c "github.com/graflow-go/graflow/e2e/conformance"
	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/internal/testutil"
	"github.com/graflow-go/graflow/signals"
	"github.com/graflow-go/graflow/temporal"
)

// writeKeyFile writes a key file of two fresh keys ("old", then the current
// "current") and returns its path.
func writeKeyFile(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# e2e keys; the last one encrypts\n")
	for _, id := range []string{"old", "current"} {
		secret := make([]byte, codec.KeySize)
		_, err := rand.Read(secret)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%s:%s\n", id, base64.StdEncoding.EncodeToString(secret))
	}
	path := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// rawHistory returns every event of the latest run of workflowID as it is
// stored (the SDK's history iterator does not decode payloads).
func rawHistory(t *testing.T, cl client.Client, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	it := cl.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		events = append(events, ev)
	}
	return events
}

// Runs whose channel values, task results, checkpoint metadata, task error
// messages and feedback answers hold secrets, with the encryption key file
// set on the worker process (GRAFLOW_ENCRYPTION_KEY_FILE), the client of
// this test and the `starter` processes: the raw histories hold none of
// the secrets' bytes, the results are right, a client without the keys
// cannot read them, `starter result` and the CheckpointManager can (a
// resume keeps an answer given to a child run), and `starter codec-server`
// decodes the payloads over HTTP with CORS.
func TestEncryptedPayloads(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	keys := writeKeyFile(t)
	env := []string{cli.EnvName(cli.KeyEncryptionKeyFile) + "=" + keys}

	w, err := spawnWorkerEnv("testworker", c.EncryptedQueue, "e2e-encrypted", env)
	require.NoError(t, err)
	defer w.Kill(syscall.SIGTERM)

	opts, err := cli.ClientOptions(cli.Config{Address: srv.FrontendAddress(), Namespace: srv.Namespace(), EncryptionKeyFile: keys}, nil)
	require.NoError(t, err)
	ec, err := cli.DialOptions(ctx, opts)
	require.NoError(t, err)
	defer ec.Close()
	ro := temporal.RunnerOptions{TaskQueue: c.EncryptedQueue, Namespace: srv.Namespace(), DataConverter: opts.DataConverter}

	token := make([]byte, 6)
	_, _ = rand.Read(token)
	tok := hex.EncodeToString(token)

	t.Run("history", func(t *testing.T) {
		testEncryptedHistory(t, ctx, ec, ro, keys, tok)
	})
	t.Run("resume", func(t *testing.T) {
		testEncryptedResume(t, ctx, ec, ro, tok)
	})
}

// testEncryptedHistory: secrets in the channel, a task result, a
// checkpoint, a task error and a feedback answer never reach the history
// in plaintext.
func testEncryptedHistory(t *testing.T, ctx context.Context, ec client.Client, ro temporal.RunnerOptions, keys, tok string) {
	secretChannel := "chan-" + marker + "-" + tok
	secretAnswer := "answer-" + marker + "-" + tok

	id := "e2e-encrypted-" + tok
	wf := graflow.NewWorkflow("encrypted_pipeline")
	wf.Add(graflow.Chain(
		c.SecretStep.Instance("step", nil),
		ask("ask", c.AskIn{ID: "password", Kind: "text", Message: "Password?", ChannelKey: "answer"}),
	))
	h, err := wf.Start(ctx, temporal.NewRunner(ec, ro), graflow.WorkflowID(id), graflow.InitialChannel(map[string]any{"secret": secretChannel}))
	require.NoError(t, err)

	// Wait for the request through the encrypting client (the Query's
	// result is encrypted too), then answer with `starter feedback`.
	fb := signals.NewClient(ec)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		pending, err := fb.Pending(ctx, id)
		require.NoError(ct, err)
		require.True(ct, slices.ContainsFunc(pending, func(p signals.Pending) bool { return p.RequestID == "password" }))
	}, 60*time.Second, 50*time.Millisecond)
	r := encryptedStarter(t, ctx, keys, "feedback", "text", id, "password", secretAnswer)
	require.NoError(t, r.err, "stderr: %s", r.stderr)

	res, err := h.Result(ctx)
	require.NoError(t, err)
	var value string
	require.NoError(t, res.Value(&value))
	assert.Equal(t, secretAnswer, value, "the run's result")
	var answer, derived, stepResult string
	require.NoError(t, res.Channel.Get("answer", &answer))
	require.NoError(t, res.Channel.Get("derived", &derived))
	require.NoError(t, res.Channel.Get("step.__result__", &stepResult))
	assert.Equal(t, secretAnswer, answer)
	assert.Equal(t, "derived-"+secretChannel, derived)
	assert.Equal(t, "result-"+secretChannel, stepResult)

	// The raw history: no secret, encrypted payloads, the task's failure
	// recorded (its message encrypted).
	events := rawHistory(t, srv.Client(), id)
	all := requireNoSecret(t, id, events)
	failures := slices.IndexFunc(events, func(ev *historypb.HistoryEvent) bool {
		return ev.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED
	})
	assert.GreaterOrEqual(t, failures, 0, "the first attempt's failure is in the history")
	assert.True(t, bytes.Contains(all, []byte("current")), "with the current key's id")

	// A client without the keys cannot read the result.
	_, err = temporal.NewRunner(srv.Client(), ro).Result(ctx, id, "")
	assert.Error(t, err, "a client without the key file reads the result")

	// The CheckpointManager decodes the checkpoint memo with the client's converter.
	cps, err := temporal.NewCheckpointManager(ec, ro).List(ctx, id)
	require.NoError(t, err)
	require.Len(t, cps, 1)
	assert.Equal(t, "step", cps[0].TaskID)
	assert.Equal(t, secretChannel, cps[0].Metadata["secret"])

	// `starter result` with the key file prints the decrypted result.
	r = encryptedStarter(t, ctx, keys, "result", id)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, secretAnswer)

	t.Run("codec-server", func(t *testing.T) {
		testCodecServer(t, ctx, keys, events, secretChannel)
	})
}

// marker is part of every secret of the encryption tests.
const marker = "s3cr3t"

// requireNoSecret asserts that no event of a run holds marker's bytes and
// that its payloads are encrypted; it returns the events' wire bytes.
func requireNoSecret(t *testing.T, id string, events []*historypb.HistoryEvent) []byte {
	t.Helper()
	var all []byte
	for _, ev := range events {
		b, err := proto.Marshal(ev)
		require.NoError(t, err)
		assert.False(t, bytes.Contains(b, []byte(marker)), "%s event %d (%s) holds a secret", id, ev.GetEventId(), ev.GetEventType())
		all = append(all, b...)
	}
	assert.True(t, bytes.Contains(all, []byte(codec.EncodingEncrypted)), "payloads of %s are encrypted", id)
	t.Logf("%s: %d events, %d bytes, no %q", id, len(events), len(all), marker)
	return all
}

// testEncryptedResume: an answer given to a dynamic child run after the
// checkpoint is read back (decrypted) by the CheckpointManager and handed
// to the resumed run, whose child gets it without being asked again.
func testEncryptedResume(t *testing.T, ctx context.Context, ec client.Client, ro temporal.RunnerOptions, tok string) {
	id := "e2e-encrypted-resume-" + tok
	asker := id + "/asks/ask"
	secretAnswer := "child-answer-" + marker + "-" + tok
	fixed := filepath.Join(t.TempDir(), "fixed")
	wf := graflow.NewWorkflow("encrypted_resume")
	wf.Add(graflow.Chain(c.SecretStep.Instance("step", nil), c.SecretSpawn.Instance("spawn", nil), c.Gate.Instance("gate", graflow.Params{"path": fixed})))
	h, err := wf.Start(ctx, temporal.NewRunner(ec, ro), graflow.WorkflowID(id), graflow.InitialChannel(map[string]any{"secret": "chan-" + marker + "-" + tok}))
	require.NoError(t, err)
	fb := signals.NewClient(ec)
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		pending, err := fb.Pending(ctx, asker)
		require.NoError(ct, err)
		require.True(ct, slices.ContainsFunc(pending, func(p signals.Pending) bool { return p.RequestID == "password" }))
	}, 60*time.Second, 50*time.Millisecond)
	_, err = fb.Answer(ctx, asker, signals.Text("password", secretAnswer))
	require.NoError(t, err)
	_, err = h.Result(ctx)
	var te *graflow.TaskError
	require.ErrorAs(t, err, &te, "the gate is closed")
	assert.Equal(t, "gate", te.TaskID)
	assert.Contains(t, te.Error(), "gate closed", "the client decrypts the failure message")

	require.NoError(t, os.WriteFile(fixed, nil, 0o600)) // fix the bug
	h, err = temporal.NewCheckpointManager(ec, ro).ResumeFromLatest(ctx, id)
	require.NoError(t, err)
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	res, err := h.Result(waitCtx) // nobody answers again
	require.NoError(t, err)
	var v string
	require.NoError(t, res.Value(&v))
	assert.Equal(t, "gate open", v)
	requireNoSecret(t, id, rawHistory(t, srv.Client(), id))
	requireNoSecret(t, asker, rawHistory(t, srv.Client(), asker))
}

// encryptedStarter runs `starter args...` with the key file in its
// environment.
func encryptedStarter(t *testing.T, ctx context.Context, keys string, args ...string) cliResult {
	t.Helper()
	cmd, stdout, stderr := starterCmd(t, ctx, args...)
	cmd.Env = append(os.Environ(), cli.EnvName(cli.KeyEncryptionKeyFile)+"="+keys)
	err := cmd.Run()
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// testCodecServer runs `starter codec-server` and decodes the run's start
// input through it, as the Web UI does.
func testCodecServer(t *testing.T, ctx context.Context, keys string, events []*historypb.HistoryEvent, secret string) {
	const origin = "http://127.0.0.1:8233"
	addr := testutil.FreeAddress(t)
	_, port, _ := strings.Cut(addr, ":")
	cmd := exec.CommandContext(ctx, starterPath(t), "codec-server", "--port", port, "--ui-origin", origin, "--encryption-key-file", keys)
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		t.Logf("codec-server output:\n%s", stderr.String())
	}()
	base := "http://" + addr

	input := events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	require.NotEmpty(t, input.GetPayloads())
	body, err := protojson.Marshal(input)
	require.NoError(t, err)
	var resp *http.Response
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/decode", bytes.NewReader(body))
		require.NoError(ct, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", srv.Namespace())
		req.Header.Set("Origin", origin)
		resp, err = http.DefaultClient.Do(req)
		require.NoError(ct, err)
	}, 30*time.Second, 100*time.Millisecond)
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, out.String())
	assert.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
	var decoded commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(out.Bytes(), &decoded))
	require.Len(t, decoded.GetPayloads(), len(input.GetPayloads()))
	assert.Equal(t, "json/plain", string(decoded.GetPayloads()[0].GetMetadata()["encoding"]))
	assert.Contains(t, string(decoded.GetPayloads()[0].GetData()), secret, "the decoded start input holds the channel")

	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, base+"/decode", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
	pre, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	pre.Body.Close()
	assert.Equal(t, http.StatusNoContent, pre.StatusCode)
	assert.Equal(t, origin, pre.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "Content-Type, X-Namespace, Authorization", pre.Header.Get("Access-Control-Allow-Headers"))
}
