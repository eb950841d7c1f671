package worker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/internal/testutil"

	"github.com/graflow-go/graflow/graflow"
	"github.com/graflow-go/graflow/internal/cli"
	"github.com/graflow-go/graflow/internal/telemetry"
	"github.com/graflow-go/graflow/temporal"
)

// isolate blanks the environment variables the command reads and moves to
// an empty directory (no ./graflow.yaml).
func isolate(t *testing.T) string {
	t.Helper()
	for _, name := range []string{
		"GRAFLOW_ADDRESS", "TEMPORAL_ADDRESS", "GRAFLOW_NAMESPACE", "TEMPORAL_NAMESPACE",
		"GRAFLOW_TASK_QUEUE", "GRAFLOW_CONFIG", "GRAFLOW_WORKER_ID", "GRAFLOW_MAX_CONCURRENT_TASKS",
		"GRAFLOW_API_KEY", "TEMPORAL_API_KEY", "GRAFLOW_LOG_LEVEL", "GRAFLOW_SHUTDOWN_GRACE",
		"GRAFLOW_ENCRYPTION_KEY_FILE", "GRAFLOW_METRICS_ADDR",
	} {
		t.Setenv(name, "")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// resolve runs the command on args with an action that only records the
// settings.
func resolve(t *testing.T, args ...string) (settings, error) {
	t.Helper()
	var got settings
	cmd := newCommand("worker", func(_ context.Context, s settings, _ *slog.Logger) error {
		got = s
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return got, err
}

func TestSettings(t *testing.T) {
	pidID := fmt.Sprintf("worker-%d", os.Getpid())
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		args    []string
		wantID  string
		wantMax int
		wantQ   string
		// wantGrace is the shutdown grace (0 = DefaultShutdownGrace).
		wantGrace   time.Duration
		wantMetrics string
		// wantBuild is "<deployment>:<build id>" and wantUpgrade the
		// upgrade-on-continue-as-new setting (Worker Versioning).
		wantBuild   string
		wantUpgrade bool
		wantErr     string
	}{
		{name: "defaults", wantID: pidID, wantQ: temporal.DefaultTaskQueue},
		{
			name:   "file",
			file:   "worker-id: file-w\nmax-concurrent-tasks: 3\ntask-queue: fq\n",
			wantID: "file-w", wantMax: 3, wantQ: "fq",
		},
		{
			name:   "env over file",
			file:   "worker-id: file-w\nmax-concurrent-tasks: 3\n",
			env:    map[string]string{"GRAFLOW_WORKER_ID": "env-w", "GRAFLOW_MAX_CONCURRENT_TASKS": "5"},
			wantID: "env-w", wantMax: 5, wantQ: temporal.DefaultTaskQueue,
		},
		{
			name:   "flag over env",
			env:    map[string]string{"GRAFLOW_WORKER_ID": "env-w", "GRAFLOW_MAX_CONCURRENT_TASKS": "5", "GRAFLOW_TASK_QUEUE": "eq"},
			args:   []string{"--worker-id", "flag-w", "--max-concurrent-tasks", "7", "--task-queue", "flagq"},
			wantID: "flag-w", wantMax: 7, wantQ: "flagq",
		},
		{
			name:   "grace from env",
			env:    map[string]string{"GRAFLOW_SHUTDOWN_GRACE": "2m"},
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantGrace: 2 * time.Minute,
		},
		{
			name:   "grace flag over env and file",
			file:   "shutdown-grace: 1h\n",
			env:    map[string]string{"GRAFLOW_SHUTDOWN_GRACE": "2m"},
			args:   []string{"--shutdown-grace", "5s"},
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantGrace: 5 * time.Second,
		},
		{
			name:   "metrics address from file",
			file:   "metrics-addr: 127.0.0.1:9000\n",
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantMetrics: "127.0.0.1:9000",
		},
		{
			name:   "metrics address flag over env",
			env:    map[string]string{"GRAFLOW_METRICS_ADDR": ":9001"},
			args:   []string{"--metrics-addr", ":9464"},
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantMetrics: ":9464",
		},
		{
			name:   "build from env, upgrade flag",
			env:    map[string]string{"GRAFLOW_DEPLOYMENT_NAME": "etl", "GRAFLOW_BUILD_ID": "7"},
			args:   []string{"--upgrade-on-continue-as-new"},
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantBuild: "etl:7", wantUpgrade: true,
		},
		{
			name:   "build flag over file",
			file:   "deployment-name: etl\nbuild-id: \"6\"\n",
			args:   []string{"--build-id", "8"},
			wantID: pidID, wantQ: temporal.DefaultTaskQueue, wantBuild: "etl:8",
		},
		{
			name:    "build id without deployment",
			args:    []string{"--build-id", "8"},
			wantErr: "--build-id needs --deployment-name",
		},
		{
			name:    "deployment without build id",
			env:     map[string]string{"GRAFLOW_DEPLOYMENT_NAME": "etl"},
			wantErr: "--deployment-name needs --build-id",
		},
		{
			name:    "upgrade without versioning",
			args:    []string{"--upgrade-on-continue-as-new"},
			wantErr: "--upgrade-on-continue-as-new needs --deployment-name and --build-id",
		},
		{
			name:    "bad grace",
			env:     map[string]string{"GRAFLOW_SHUTDOWN_GRACE": "soon"},
			wantErr: `invalid shutdown-grace "soon"`,
		},
		{
			name:    "negative max",
			args:    []string{"--max-concurrent-tasks", "-1"},
			wantErr: "invalid max-concurrent-tasks",
		},
		{
			name:    "non-numeric max from env",
			env:     map[string]string{"GRAFLOW_MAX_CONCURRENT_TASKS": "many"},
			wantErr: `invalid max-concurrent-tasks "many"`,
		},
		{
			name:    "unknown flag",
			args:    []string{"--nope"},
			wantErr: "unknown flag: --nope (see worker --help)",
		},
		{
			name:    "positional argument",
			args:    []string{"extra"},
			wantErr: "unknown command",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.file != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, cli.DefaultConfigFile), []byte(tt.file), 0o600))
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s, err := resolve(t, tt.args...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, s.WorkerID)
			assert.Equal(t, tt.wantMax, s.MaxConcurrentTasks)
			assert.Equal(t, tt.wantQ, s.TaskQueue)
			if tt.wantGrace == 0 {
				tt.wantGrace = DefaultShutdownGrace
			}
			assert.Equal(t, tt.wantGrace, s.ShutdownGrace)
			assert.Equal(t, tt.wantMetrics, s.MetricsAddr)
			if tt.wantBuild != "" {
				assert.Equal(t, tt.wantBuild, s.DeploymentName+":"+s.BuildID)
			}
			assert.Equal(t, tt.wantUpgrade, s.UpgradeOnContinueAsNew)
		})
	}
}

func TestBanner(t *testing.T) {
	off := &telemetry.Telemetry{}
	s := settings{Config: cli.Config{Address: "h:1", TaskQueue: "q"}, WorkerID: "w1"}
	assert.Equal(t, "worker w1 polling task queue q at h:1 (2 tasks: a, b; 1 workflows: etl)", banner(s, []string{"a", "b"}, []*graflow.Workflow{graflow.NewWorkflow("etl")}, off))
	assert.Equal(t, "worker w1 polling task queue q at h:1 (0 tasks: none; 0 workflows: none)", banner(s, nil, nil, off))
	s.EncryptionKeyFile = "/etc/keys"
	assert.Equal(t, "worker w1 polling task queue q at h:1 (0 tasks: none; 0 workflows: none); payloads encrypted with keys of /etc/keys", banner(s, nil, nil, off))

	tel, err := telemetry.Start(context.Background(), telemetry.Options{MetricsAddr: "127.0.0.1:0"})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tel.Shutdown(context.Background())) })
	s.EncryptionKeyFile = ""
	assert.Equal(t, "worker w1 polling task queue q at h:1 (0 tasks: none; 0 workflows: none); metrics on "+tel.MetricsURL(), banner(s, nil, nil, tel))
}

// A metrics address already in use stops the worker before it dials,
// naming the address.
func TestMetricsAddrInUse(t *testing.T) {
	isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	cmd := Command(Config{})
	cmd.SetArgs([]string{"--address", testutil.FreeAddress(t), "--metrics-addr", ln.Addr().String()})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err = cmd.Execute()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "metrics endpoint "+ln.Addr().String()+": ")
	assert.Contains(t, err.Error(), "address already in use")
}

// A bad key file stops the worker before it dials, naming the file.
func TestBadEncryptionKeyFile(t *testing.T) {
	dir := isolate(t)
	keys := filepath.Join(dir, "keys")
	require.NoError(t, os.WriteFile(keys, []byte("k1:c2hvcnQ=\n"), 0o600))
	for _, tc := range []struct {
		name, file, want string
	}{
		{"missing", filepath.Join(dir, "missing"), "missing"},
		{"short key", keys, `line 1 (key "k1"): key has the wrong length: 5 bytes, want 32`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := Command(Config{})
			cmd.SetArgs([]string{"--address", testutil.FreeAddress(t)})
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			t.Setenv("GRAFLOW_ENCRYPTION_KEY_FILE", tc.file)
			err := cmd.Execute()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.file)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNoServer(t *testing.T) {
	isolate(t)
	addr := testutil.FreeAddress(t)
	cmd := Command(Config{})
	var stderr bytes.Buffer
	cmd.SetArgs([]string{"--address", addr})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&stderr)
	start := time.Now()
	err := cmd.Execute()
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, "cannot reach Temporal at "+addr+": connection refused", err.Error())
}

// TestNoServerImport guards the build-time rule: a worker binary must not
// link the Temporal server.
func TestNoServerImport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, string(out))
	for _, dep := range strings.Split(string(out), "\n") {
		assert.False(t, strings.HasPrefix(dep, "go.temporal.io/server"), "package worker depends on %s", dep)
	}
}
