package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/internal/engine"
	"github.com/graflow-go/graflow/internal/testutil"

	"github.com/graflow-go/graflow/examples"
	"github.com/graflow-go/graflow/graflow"
)

// settingsEnv lists the environment variables the starter reads.
var settingsEnv = []string{
	"GRAFLOW_ADDRESS", "TEMPORAL_ADDRESS", "GRAFLOW_NAMESPACE", "TEMPORAL_NAMESPACE",
	"GRAFLOW_TASK_QUEUE", "GRAFLOW_CONFIG", "GRAFLOW_TLS_CERT", "GRAFLOW_TLS_KEY",
	"GRAFLOW_TLS_CA", "GRAFLOW_TLS_SERVER_NAME", "GRAFLOW_API_KEY", "TEMPORAL_API_KEY",
	"GRAFLOW_LOG_LEVEL", "GRAFLOW_UI_URL", "GRAFLOW_ENCRYPTION_KEY_FILE",
}

var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "starter-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// starterBinary builds the starter once per test binary (a warm link of a
// binary with the Temporal server takes 20-60 s).
func starterBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		path := filepath.Join(binDir, "starter")
		out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		binPath = path
	})
	require.NoError(t, buildErr)
	return binPath
}

// isolate blanks the settings' environment variables and moves to an empty
// directory (no ./graflow.yaml).
func isolate(t *testing.T) {
	t.Helper()
	for _, name := range settingsEnv {
		t.Setenv(name, "")
	}
	t.Chdir(t.TempDir())
}

// execute runs the starter in-process with args.
func execute(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	isolate(t)
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func exampleNames() []string {
	var names []string
	for _, ex := range examples.All() {
		names = append(names, ex.Name)
	}
	return names
}

func TestList(t *testing.T) {
	stdout, stderr, err := execute(t, "list")
	require.NoError(t, err)
	assert.Empty(t, stderr)
	var want strings.Builder
	for _, ex := range examples.All() {
		fmt.Fprintf(&want, "%s\t%s\n", ex.Name, ex.Description)
	}
	assert.True(t, strings.HasPrefix(stdout, want.String()), stdout)
	for _, ex := range examples.AllInteractive() {
		assert.Contains(t, stdout, ex.Name+"\t"+ex.Description+" (waits for: starter feedback "+ex.Answer[0]+" <workflow-id> ")
	}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if line != "" {
			assert.Equal(t, 1, strings.Count(line, "\t"), "one tab per line: %q", line)
		}
	}
}

func TestHelp(t *testing.T) {
	stdout, _, err := execute(t, "--help")
	require.NoError(t, err)
	for _, want := range []string{
		"Workflow runs:", "Local server:", "list", "run", "start", "result", "dev",
		"--address", "--namespace", "--task-queue", "--config", "--api-key", "--tls-cert", "--log-level",
	} {
		assert.Contains(t, stdout, want)
	}
	assert.NotContains(t, stdout, "completion")
}

func TestUsageErrors(t *testing.T) {
	known := exampleNames()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "run unknown", args: []string{"run", "nope"}, want: append([]string{`unknown workflow "nope"`}, known...)},
		{name: "start unknown", args: []string{"start", "nope"}, want: append([]string{`unknown workflow "nope"`}, known...)},
		{name: "result with unknown --workflow", args: []string{"result", "x-1", "--workflow", "nope"}, want: []string{`unknown workflow "nope"`}},
		{name: "run without name", args: []string{"run"}, want: []string{"missing workflow name"}},
		{name: "result without id", args: []string{"result"}, want: []string{"missing workflow id"}},
		{name: "run with two names", args: []string{"run", "a", "b"}, want: []string{"want one workflow name"}},
		{name: "dev-only flag without --dev", args: []string{"run", "x", "--db-file", "f"}, want: []string{"--db-file needs --dev"}},
		{name: "unknown flag", args: []string{"run", "--bogus"}, want: []string{"unknown flag: --bogus", "starter run --help"}},
		{name: "unknown command", args: []string{"bogus"}, want: []string{`unknown command "bogus"`}},
		{name: "bad log level", args: []string{"result", "x", "--log-level", "loud"}, want: []string{`invalid log level "loud"`}},
	}
	if len(known) > 0 {
		type tc = struct {
			name string
			args []string
			want []string
		}
		tests = append(tests,
			tc{name: "unknown start node", args: []string{"start", known[0], "--start", "no_such_node"}, want: []string{"no_such_node"}},
			tc{name: "bad input", args: []string{"start", known[0], "--input", "novalue"}, want: []string{`invalid --input "novalue"`}},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := execute(t, tt.args...)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, stdout)
		})
	}
}

func TestParseInputs(t *testing.T) {
	tests := []struct {
		name    string
		pairs   []string
		want    map[string]any
		wantErr string
	}{
		{name: "none", want: map[string]any{}},
		{name: "integer stays exact", pairs: []string{"n=12345678901234567890"}, want: map[string]any{"n": json.Number("12345678901234567890")}},
		{name: "float", pairs: []string{"x=1.5"}, want: map[string]any{"x": json.Number("1.5")}},
		{name: "bool", pairs: []string{"ok=true"}, want: map[string]any{"ok": true}},
		{name: "null", pairs: []string{"v=null"}, want: map[string]any{"v": nil}},
		{name: "bare word is a string", pairs: []string{"name=Alice"}, want: map[string]any{"name": "Alice"}},
		{name: "JSON string", pairs: []string{`s="42"`}, want: map[string]any{"s": "42"}},
		{name: "object", pairs: []string{`o={"a":[1,"b"]}`}, want: map[string]any{"o": map[string]any{"a": []any{json.Number("1"), "b"}}}},
		{name: "list", pairs: []string{"l=[1, 2]"}, want: map[string]any{"l": []any{json.Number("1"), json.Number("2")}}},
		{name: "empty value", pairs: []string{"e="}, want: map[string]any{"e": ""}},
		{name: "value with =", pairs: []string{"q=a=b"}, want: map[string]any{"q": "a=b"}},
		{name: "trailing data is a string", pairs: []string{"t=1 2", "u=true story"}, want: map[string]any{"t": "1 2", "u": "true story"}},
		{name: "invalid JSON is a string", pairs: []string{"j={bad"}, want: map[string]any{"j": "{bad"}},
		{name: "later wins", pairs: []string{"k=1", "k=two"}, want: map[string]any{"k": "two"}},
		{name: "key trimmed", pairs: []string{" k =v"}, want: map[string]any{"k": "v"}},
		{name: "no =", pairs: []string{"k"}, wantErr: `invalid --input "k": want key=value`},
		{name: "empty key", pairs: []string{"=v"}, wantErr: `invalid --input "=v"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInputs(tt.pairs)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRunOptions(t *testing.T) {
	exChannel := map[string]any{"a": 1, "b": 2}
	ex := examples.Example{
		Name: "fake",
		Options: []graflow.ExecuteOption{
			graflow.InitialChannel(exChannel),
			graflow.Start("first"),
		},
	}
	tests := []struct {
		name  string
		flags runFlags
		want  engine.RunConfig
	}{
		{
			name: "example options alone",
			want: engine.RunConfig{Start: "first", InitialChannel: map[string]any{"a": 1, "b": 2}},
		},
		{
			name:  "inputs merged over the example's channel",
			flags: runFlags{inputs: []string{"b=3", "c=x"}},
			want: engine.RunConfig{Start: "first", InitialChannel: map[string]any{
				"a": 1, "b": json.Number("3"), "c": "x",
			}},
		},
		{
			name:  "start and workflow id override",
			flags: runFlags{start: "second", workflowID: "fake-run-1"},
			want: engine.RunConfig{Start: "second", WorkflowID: "fake-run-1", InitialChannel: map[string]any{
				"a": 1, "b": 2,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := tt.flags.options(ex)
			require.NoError(t, err)
			var got engine.RunConfig
			for _, o := range opts {
				o(&got)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, map[string]any{"a": 1, "b": 2}, exChannel, "the example's map is not modified")
		})
	}

	t.Run("inputs without example channel", func(t *testing.T) {
		opts, err := (&runFlags{inputs: []string{"n=1"}}).options(examples.Example{Name: "bare"})
		require.NoError(t, err)
		var got engine.RunConfig
		for _, o := range opts {
			o(&got)
		}
		assert.Equal(t, map[string]any{"n": json.Number("1")}, got.InitialChannel)
	})
}

func TestExampleForID(t *testing.T) {
	for _, ex := range examples.All() {
		got, ok := exampleForID(ex.Name + "-1a2b3c4d")
		if assert.True(t, ok, ex.Name) {
			// The longest matching name wins, so got is ex or a longer name
			// that extends it.
			assert.True(t, strings.HasPrefix(got.Name, ex.Name), "%s → %s", ex.Name, got.Name)
		}
	}
	_, ok := exampleForID("no-such-example-prefix")
	assert.False(t, ok)
	if len(examples.All()) > 0 {
		_, ok = exampleForID(examples.All()[0].Name) // no "-suffix"
		assert.False(t, ok)
	}
}

func TestFormatResult(t *testing.T) {
	res := engine.NewResult("w-1", "r", json.RawMessage(`{ "a" : [1, 2] }`), nil)
	out, err := formatResult(nil, res)
	require.NoError(t, err)
	assert.Equal(t, `{"a":[1,2]}`, out)

	out, err = formatResult(nil, engine.NewResult("w-1", "r", nil, nil))
	require.NoError(t, err)
	assert.Equal(t, "null", out)

	ex := &examples.Example{Format: func(*graflow.Result) (string, error) { return "pretty", nil }}
	out, err = formatResult(ex, res)
	require.NoError(t, err)
	assert.Equal(t, "pretty", out)

	bad := &examples.Example{Format: func(*graflow.Result) (string, error) { return "", errors.New("boom") }}
	_, err = formatResult(bad, res)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "w-1")
}

func TestRunURL(t *testing.T) {
	assert.Equal(t,
		"http://127.0.0.1:8233/namespaces/default/workflows/etl-1/r1/history",
		runURL("http://127.0.0.1:8233/", "default", "etl-1", "r1"))
	assert.Equal(t,
		"http://ui/namespaces/ns/workflows/p%2Fg%2Fm/r/history",
		runURL("http://ui", "ns", "p/g/m", "r"))
}

// TestNoServer runs the built binary against an address nothing listens on:
// exit 1 within 10 s, one line on stderr naming the address, nothing on
// stdout.
func TestNoServer(t *testing.T) {
	bin := starterBinary(t)
	addr := testutil.FreeAddress(t)
	cases := [][]string{{"result", "some-workflow-1"}}
	if names := exampleNames(); len(names) > 0 {
		cases = append(cases, []string{"run", names[0]}, []string{"start", names[0]})
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, args := range cases {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append(args, "--address", addr)...)
			cmd.Env = env
			cmd.Dir = t.TempDir()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)

			var exitErr *exec.ExitError
			require.ErrorAs(t, err, &exitErr, "stderr: %s", stderr.String())
			assert.Equal(t, 1, exitErr.ExitCode())
			assert.Less(t, elapsed, 10*time.Second)
			assert.Empty(t, stdout.String())
			assert.Equal(t, "Error: cannot reach Temporal at "+addr+": connection refused\n", stderr.String())
		})
	}

	t.Run("env address", func(t *testing.T) {
		cmd := exec.Command(bin, "result", "x-1")
		cmd.Env = append(env, "TEMPORAL_ADDRESS="+addr)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		require.Error(t, err)
		assert.Equal(t, "Error: cannot reach Temporal at "+addr+": connection refused\n", string(out))
	})
}
