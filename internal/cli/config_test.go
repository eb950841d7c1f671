package cli

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/temporal"
)

// allEnv lists every environment variable the shared settings read.
var allEnv = []string{
	"GRAFLOW_ADDRESS", "TEMPORAL_ADDRESS", "GRAFLOW_NAMESPACE", "TEMPORAL_NAMESPACE",
	"GRAFLOW_TASK_QUEUE", "GRAFLOW_CONFIG", "GRAFLOW_TLS_CERT", "GRAFLOW_TLS_KEY",
	"GRAFLOW_TLS_CA", "GRAFLOW_TLS_SERVER_NAME", "GRAFLOW_API_KEY", "TEMPORAL_API_KEY",
	"GRAFLOW_LOG_LEVEL", "GRAFLOW_ENCRYPTION_KEY_FILE",
}

// clearEnv blanks every variable the settings read (viper ignores empty
// variables), so the caller's environment does not leak into a test.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range allEnv {
		t.Setenv(name, "")
	}
}

// load runs a command with the shared flags on args, in dir, and returns the
// resolved settings.
func load(t *testing.T, dir string, args ...string) (Config, error) {
	t.Helper()
	t.Chdir(dir)
	v := viper.New()
	var got Config
	cmd := &cobra.Command{
		Use:           "tool",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return ReadConfig(v)
		},
		RunE: func(*cobra.Command, []string) error {
			var err error
			got, err = Load(v)
			return err
		},
	}
	require.NoError(t, AddFlags(cmd, v))
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return got, err
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestPrecedence(t *testing.T) {
	const fileYAML = `address: file:7233
namespace: file-ns
task-queue: file-q
api-key: file-key
log-level: warn
tls-server-name: file.example
encryption-key-file: /file/keys
`
	tests := []struct {
		name  string
		file  string // ./graflow.yaml content; "" = no file
		env   map[string]string
		args  []string
		check func(t *testing.T, c Config)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, c Config) {
				assert.Equal(t, DefaultAddress, c.Address)
				assert.Equal(t, "default", c.Namespace)
				assert.Equal(t, temporal.DefaultTaskQueue, c.TaskQueue)
				assert.Equal(t, slog.LevelInfo, c.LogLevel)
				assert.Empty(t, c.APIKey)
				assert.Empty(t, c.ConfigFile)
				assert.False(t, c.TLSEnabled())
			},
		},
		{
			name: "file over default",
			file: fileYAML,
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "file:7233", c.Address)
				assert.Equal(t, "file-ns", c.Namespace)
				assert.Equal(t, "file-q", c.TaskQueue)
				assert.Equal(t, "file-key", c.APIKey)
				assert.Equal(t, slog.LevelWarn, c.LogLevel)
				assert.Equal(t, "file.example", c.TLSServerName)
				assert.Equal(t, "/file/keys", c.EncryptionKeyFile)
				assert.Equal(t, DefaultConfigFile, filepath.Base(c.ConfigFile))
				assert.True(t, c.TLSEnabled())
			},
		},
		{
			name: "TEMPORAL_ env over file",
			file: fileYAML,
			env: map[string]string{
				"TEMPORAL_ADDRESS": "tenv:7233", "TEMPORAL_NAMESPACE": "tenv-ns", "TEMPORAL_API_KEY": "tenv-key",
			},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "tenv:7233", c.Address)
				assert.Equal(t, "tenv-ns", c.Namespace)
				assert.Equal(t, "tenv-key", c.APIKey)
				assert.Equal(t, "file-q", c.TaskQueue)
			},
		},
		{
			name: "GRAFLOW_ env over TEMPORAL_ env and file",
			file: fileYAML,
			env: map[string]string{
				"TEMPORAL_ADDRESS": "tenv:7233", "GRAFLOW_ADDRESS": "genv:7233",
				"TEMPORAL_NAMESPACE": "tenv-ns", "GRAFLOW_NAMESPACE": "genv-ns",
				"GRAFLOW_TASK_QUEUE": "genv-q", "GRAFLOW_API_KEY": "genv-key",
				"GRAFLOW_LOG_LEVEL": "debug", "GRAFLOW_TLS_SERVER_NAME": "env.example",
				"GRAFLOW_ENCRYPTION_KEY_FILE": "/env/keys",
			},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "genv:7233", c.Address)
				assert.Equal(t, "genv-ns", c.Namespace)
				assert.Equal(t, "genv-q", c.TaskQueue)
				assert.Equal(t, "genv-key", c.APIKey)
				assert.Equal(t, slog.LevelDebug, c.LogLevel)
				assert.Equal(t, "env.example", c.TLSServerName)
				assert.Equal(t, "/env/keys", c.EncryptionKeyFile)
			},
		},
		{
			name: "flag over env and file",
			file: fileYAML,
			env: map[string]string{
				"TEMPORAL_ADDRESS": "tenv:7233", "GRAFLOW_ADDRESS": "genv:7233",
				"GRAFLOW_NAMESPACE": "genv-ns", "GRAFLOW_TASK_QUEUE": "genv-q", "GRAFLOW_LOG_LEVEL": "debug",
				"GRAFLOW_ENCRYPTION_KEY_FILE": "/env/keys",
			},
			args: []string{
				"--address", "flag:7233", "--namespace", "flag-ns", "--task-queue", "flag-q",
				"--log-level", "error", "--api-key", "flag-key", "--encryption-key-file", "/flag/keys",
			},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "flag:7233", c.Address)
				assert.Equal(t, "flag-ns", c.Namespace)
				assert.Equal(t, "flag-q", c.TaskQueue)
				assert.Equal(t, slog.LevelError, c.LogLevel)
				assert.Equal(t, "flag-key", c.APIKey)
				assert.Equal(t, "/flag/keys", c.EncryptionKeyFile)
			},
		},
		{
			name: "flag equal to the default still wins over env",
			env:  map[string]string{"TEMPORAL_ADDRESS": "tenv:7233"},
			args: []string{"--address", DefaultAddress},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, DefaultAddress, c.Address)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			dir := t.TempDir()
			if tt.file != "" {
				writeFile(t, dir, DefaultConfigFile, tt.file)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := load(t, dir, tt.args...)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestConfigFileLocation(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir, other string) (args []string)
		want    string // expected address
		wantErr string
	}{
		{
			name: "--config names the file",
			setup: func(t *testing.T, dir, other string) []string {
				writeFile(t, dir, DefaultConfigFile, "address: cwd:1\n")
				return []string{"--config", writeFile(t, other, "my.yml", "address: named:1\n")}
			},
			want: "named:1",
		},
		{
			name: "GRAFLOW_CONFIG names the file",
			setup: func(t *testing.T, dir, other string) []string {
				writeFile(t, dir, DefaultConfigFile, "address: cwd:1\n")
				t.Setenv("GRAFLOW_CONFIG", writeFile(t, other, "env.yaml", "address: env:1\n"))
				return nil
			},
			want: "env:1",
		},
		{
			name: "--config over GRAFLOW_CONFIG",
			setup: func(t *testing.T, dir, other string) []string {
				t.Setenv("GRAFLOW_CONFIG", writeFile(t, other, "env.yaml", "address: env:1\n"))
				return []string{"--config", writeFile(t, other, "flag.yaml", "address: flag:1\n")}
			},
			want: "flag:1",
		},
		{
			name: "a file without extension is YAML",
			setup: func(t *testing.T, dir, other string) []string {
				return []string{"--config", writeFile(t, other, "graflowrc", "address: noext:1\n")}
			},
			want: "noext:1",
		},
		{
			name: "a named file must exist",
			setup: func(t *testing.T, dir, other string) []string {
				return []string{"--config", filepath.Join(other, "missing.yaml")}
			},
			wantErr: "missing.yaml",
		},
		{
			name: "invalid YAML is an error naming the file",
			setup: func(t *testing.T, dir, other string) []string {
				writeFile(t, dir, DefaultConfigFile, "address: [unclosed\n")
				return nil
			},
			wantErr: DefaultConfigFile,
		},
		{
			name: "invalid log level",
			setup: func(t *testing.T, dir, other string) []string {
				return []string{"--log-level", "loud"}
			},
			wantErr: `invalid log level "loud"`,
		},
		{
			name: "certificate without key",
			setup: func(t *testing.T, dir, other string) []string {
				return []string{"--tls-cert", "c.pem"}
			},
			wantErr: "--tls-cert and --tls-key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			dir, other := t.TempDir(), t.TempDir()
			args := tt.setup(t, dir, other)
			c, err := load(t, dir, args...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Address)
		})
	}
}

func TestEnvName(t *testing.T) {
	assert.Equal(t, "GRAFLOW_TASK_QUEUE", EnvName(KeyTaskQueue))
	assert.Equal(t, "GRAFLOW_TLS_SERVER_NAME", EnvName(KeyTLSServerName))
	assert.Equal(t, "GRAFLOW_WORKER_ID", EnvName("worker-id"))
}

func TestBindFlagUnknown(t *testing.T) {
	err := BindFlag(viper.New(), &cobra.Command{Use: "x"}, "nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--nope")
}

func TestLogger(t *testing.T) {
	v := viper.New()
	v.Set(KeyLogLevel, "warn")
	var buf bytes.Buffer
	l, err := Logger(&buf, v)
	require.NoError(t, err)
	l.Info("hidden")
	l.Warn("shown")
	assert.NotContains(t, buf.String(), "hidden")
	assert.Contains(t, buf.String(), "shown")
}
