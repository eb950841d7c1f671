package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/graflow-go/graflow/internal/testutil"
	"github.com/graflow-go/graflow/temporal/devserver"
)

// tlsQueue is polled by the worker of the mutual-TLS test.
const tlsQueue = "tls"

// runBinary runs a binary of binDir with args and env added, in a clean
// directory, and returns its stdout, stderr and exit code.
func runBinary(t *testing.T, timeout time.Duration, env []string, bin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, bin), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	require.NoError(t, ctx.Err(), "%s %v did not finish within %s", bin, args, timeout)
	return stdout.String(), stderr.String(), code
}

// A server that requires client certificates (mutual TLS, as a self-hosted
// production server might): cmd/worker and starter connect with --tls-*
// flags or GRAFLOW_TLS_* variables and run an example; a CA that did not
// sign the server's certificate, or no client certificate, is a one-line
// error naming the address and exit status 1.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	starterPath(t) // builds the starter binary
	f := testutil.NewTLSFiles(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tlsSrv, err := devserver.Start(ctx, devserver.Options{UIPort: -1, TLS: &devserver.TLSOptions{
		CertFile: f.ServerCert, KeyFile: f.ServerKey, ClientCAFile: f.CA,
		CAFile: f.CA, ClientCertFile: f.ClientCert, ClientKeyFile: f.ClientKey,
	}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tlsSrv.Stop() })
	addr := tlsSrv.FrontendAddress()

	// The worker with flags.
	w, err := spawnWorker("worker", tlsQueue, "e2e-tls", "--address", addr,
		"--tls-ca", f.CA, "--tls-cert", f.ClientCert, "--tls-key", f.ClientKey)
	require.NoError(t, err)
	t.Cleanup(func() { w.Kill(syscall.SIGTERM) })

	// The starter with environment variables.
	stdout, stderr, code := runBinary(t, 2*time.Minute, []string{
		"GRAFLOW_TLS_CA=" + f.CA, "GRAFLOW_TLS_CERT=" + f.ClientCert, "GRAFLOW_TLS_KEY=" + f.ClientKey,
		"TEMPORAL_ADDRESS=" + addr,
	}, "starter", "run", "diamond", "--task-queue", tlsQueue, "--workflow-id", "tls-diamond")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s\nworker log:\n%s", stdout, stderr, workerLog(w))
	assert.NotEmpty(t, strings.TrimSpace(stdout))
	d, err := tlsSrv.Client().DescribeWorkflowExecution(ctx, "tls-diamond", "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, d.WorkflowExecutionInfo.Status)

	// An API key as well, as with Temporal Cloud: sent as a bearer token
	// over the TLS connection (this server does not check it).
	stdout, stderr, code = runBinary(t, 2*time.Minute, []string{"TEMPORAL_API_KEY=e2e-key"}, "starter", "run", "diamond",
		"--address", addr, "--task-queue", tlsQueue, "--workflow-id", "tls-diamond-key",
		"--tls-ca", f.CA, "--tls-cert", f.ClientCert, "--tls-key", f.ClientKey)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.NotEmpty(t, strings.TrimSpace(stdout))

	refusals := []struct {
		name string
		bin  string
		env  []string
		args []string
		want string
	}{
		{
			name: "worker, wrong CA", bin: "worker",
			args: []string{"--tls-ca", f.OtherCA, "--tls-cert", f.ClientCert, "--tls-key", f.ClientKey},
			want: "tls: certificate signed by unknown authority",
		},
		{
			name: "starter, wrong CA from the environment", bin: "starter",
			env:  []string{"GRAFLOW_TLS_CA=" + f.OtherCA, "GRAFLOW_TLS_CERT=" + f.ClientCert, "GRAFLOW_TLS_KEY=" + f.ClientKey},
			args: []string{"start", "diamond"},
			want: "tls: certificate signed by unknown authority",
		},
		{name: "worker, no client certificate", bin: "worker", args: []string{"--tls-ca", f.CA}, want: "tls: the server refused the handshake (client certificate missing or not trusted?)"},
		{name: "starter, no client certificate", bin: "starter", args: []string{"start", "diamond", "--tls-ca", f.CA}, want: "tls: the server refused the handshake (client certificate missing or not trusted?)"},
		{
			name: "starter, certificate of another CA", bin: "starter",
			args: []string{"start", "diamond", "--tls-ca", f.CA, "--tls-cert", f.OtherClientCert, "--tls-key", f.OtherClientKey},
			want: "tls: the server refused the handshake (client certificate missing or not trusted?)",
		},
		{name: "worker, plaintext", bin: "worker", want: "the server closed the connection (does it need TLS?"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			start := time.Now()
			stdout, stderr, code := runBinary(t, 30*time.Second, r.env, r.bin, append(r.args, "--address", addr, "--task-queue", tlsQueue)...)
			t.Logf("%s in %s: %q", r.name, time.Since(start), stderr)
			assert.Equal(t, 1, code, "stdout: %s", stdout)
			assert.True(t, strings.HasPrefix(stderr, "Error: cannot reach Temporal at "+addr+": "+r.want), stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Less(t, time.Since(start), 15*time.Second)
		})
	}
}
