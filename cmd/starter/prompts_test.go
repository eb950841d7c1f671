package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/graflow-go/graflow/prompts"
)

// promptFiles writes a prompts directory: Graflow's summarize.yaml and
// Graflow mapping-form files with a chat prompt and a virtual folder.
func promptFiles(t *testing.T) string {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("..", "..", "examples", "prompts", "summarize.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	files := map[string]string{
		"summarize.yaml": string(seed),
		"chat.yaml": `greeting:
  labels:
    production: {content: "Hello {{ name }}!", version: 2}
    staging: {content: "Hi {{ name }}!"}
assistant:
  type: chat
  labels:
    production:
      content:
        - {role: system, content: "You help with {{ product }}."}
        - {role: user, content: "{{ question }}"}
`,
		"customer/welcome.yaml": `welcome:
  labels:
    production: {content: "Dear {{ user.name }}, {{ n + 1 }} offers for you."}
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func TestPromptsList(t *testing.T) {
	t.Setenv(prompts.EnvDir, "")
	dir := promptFiles(t)
	stdout, stderr, err := execute(t, "prompts", "list", "--dir", dir)
	require.NoError(t, err)
	assert.Empty(t, stderr)
	chat := filepath.Join(dir, "chat.yaml")
	summarize := filepath.Join(dir, "summarize.yaml")
	want := strings.Join([]string{
		"assistant\tproduction\t1\tchat\t" + chat,
		"customer/welcome\tproduction\t1\ttext\t" + filepath.Join(dir, "customer", "welcome.yaml"),
		"greeting\tproduction\t2\ttext\t" + chat,
		"greeting\tstaging\t1\ttext\t" + chat,
		"summarize\tdevelopment\t2\ttext\t" + summarize,
		"summarize\tproduction\t1\ttext\t" + summarize,
	}, "\n") + "\n"
	assert.Equal(t, want, stdout)

	t.Run("empty directory", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "none")
		stdout, stderr, err := execute(t, "prompts", "list", "--dir", empty)
		require.NoError(t, err)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "no prompts in "+empty)
	})

	t.Run("broken file", func(t *testing.T) {
		bad := filepath.Join(dir, "broken.yaml")
		require.NoError(t, os.WriteFile(bad, []byte("- label: a\n  template: x\n   bad: y\n"), 0o644))
		stdout, _, err := execute(t, "prompts", "list", "--dir", dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), bad+":3:")
		assert.Equal(t, want, stdout, "the good prompts are listed")
	})
}

func TestPromptsSettings(t *testing.T) {
	dir := promptFiles(t)
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "only.yaml"), []byte("- template: other\n"), 0o644))
	config := func(content string) string {
		p := filepath.Join(t.TempDir(), "graflow.yaml")
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{name: "flag", args: []string{"--dir", dir}, want: "summarize\t"},
		{name: "environment", env: dir, want: "summarize\t"},
		{name: "flag beats environment", env: other, args: []string{"--dir", dir}, want: "summarize\t"},
		{name: "config file", args: []string{"--config", config("prompts-dir: " + dir + "\n")}, want: "summarize\t"},
		{name: "worker's config key", args: []string{"--config", config("prompts:\n  dir: " + dir + "\n")}, want: "summarize\t"},
		{name: "environment beats config file", env: other, args: []string{"--config", config("prompts-dir: " + dir + "\n")}, want: "only\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(prompts.EnvDir, tt.env)
			stdout, _, err := execute(t, append([]string{"prompts", "list"}, tt.args...)...)
			require.NoError(t, err)
			assert.Contains(t, stdout, tt.want)
		})
	}
}

func TestPromptsRender(t *testing.T) {
	t.Setenv(prompts.EnvDir, "")
	dir := promptFiles(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "seed production",
			args: []string{"summarize", "--var", "text=content to summarize", "--var", "max_words=100"},
			want: "Summarize the following text in 100 words or less:\n\ncontent to summarize\n",
		},
		{
			name: "seed development",
			args: []string{"summarize", "--label", "development", "--var", "text=content to summarize"},
			want: "[DEV] Summarize: content to summarize\n",
		},
		{
			name: "explicit version",
			args: []string{"summarize", "-l", "development", "--version", "2", "--var", "text=x"},
			want: "[DEV] Summarize: x\n",
		},
		{
			name: "JSON values, numbers usable in expressions",
			args: []string{"customer/welcome", "--var", `user={"name": "Ann"}`, "--var", "n=2"},
			want: "Dear Ann, 3 offers for you.\n",
		},
		{
			name: "value with commas and equals signs",
			args: []string{"greeting", "--label", "staging", "--var", "name=a, b=c"},
			want: "Hi a, b=c!\n",
		},
		{
			name: "chat prompt as role: content blocks",
			args: []string{"assistant", "--var", "product=graflow", "--var", "question=How do I retry?"},
			want: "system: You help with graflow.\n\nuser: How do I retry?\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := execute(t, append([]string{"prompts", "render", "--dir", dir}, tt.args...)...)
			require.NoError(t, err)
			assert.Empty(t, stderr)
			assert.Equal(t, tt.want, stdout)
		})
	}
}

func TestPromptsErrors(t *testing.T) {
	t.Setenv(prompts.EnvDir, "")
	dir := promptFiles(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "unknown prompt", args: []string{"render", "nope"}, want: []string{`prompt not found: "nope"`}},
		{name: "unknown label", args: []string{"render", "summarize", "--label", "qa"}, want: []string{`label "qa" not found`, "development, production"}},
		{name: "unknown version", args: []string{"render", "summarize", "--version", "3"}, want: []string{"version 3 not found", "available versions: 1"}},
		{name: "missing variable", args: []string{"render", "summarize", "--var", "text=x"}, want: []string{`render "summarize"`, `missing variable "max_words"`, filepath.Join(dir, "summarize.yaml")}},
		{name: "bad --var", args: []string{"render", "summarize", "--var", "novalue"}, want: []string{`invalid --var "novalue": want key=value`}},
		{name: "no name", args: []string{"render"}, want: []string{"missing prompt name"}},
		{name: "two names", args: []string{"render", "a", "b"}, want: []string{"want one prompt name"}},
		{name: "bad version", args: []string{"render", "summarize", "--version", "x"}, want: []string{"invalid argument", "--version"}},
		{name: "list takes no argument", args: []string{"list", "x"}, want: []string{"unknown command"}},
		{name: "unknown subcommand", args: []string{"bogus"}, want: []string{`unknown command "bogus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := execute(t, append([]string{"prompts", "--dir", dir}, tt.args...)...)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, stdout)
		})
	}
}

func TestPromptsHelp(t *testing.T) {
	stdout, _, err := execute(t, "--help")
	require.NoError(t, err)
	assert.Contains(t, stdout, "prompts")

	stdout, _, err = execute(t, "prompts")
	require.NoError(t, err)
	for _, w := range []string{"list", "render", "--dir", prompts.EnvDir} {
		assert.Contains(t, stdout, w)
	}
}

func TestPromptsParseVars(t *testing.T) {
	tests := []struct {
		name    string
		pairs   []string
		want    map[string]any
		wantErr string
	}{
		{name: "none", want: map[string]any{}},
		{name: "string", pairs: []string{"name=Ann"}, want: map[string]any{"name": "Ann"}},
		{name: "integer", pairs: []string{"n=42"}, want: map[string]any{"n": int64(42)}},
		{name: "float", pairs: []string{"x=1.5"}, want: map[string]any{"x": 1.5}},
		{name: "huge integer becomes float", pairs: []string{"n=12345678901234567890"}, want: map[string]any{"n": 12345678901234567890.0}},
		{name: "nested numbers", pairs: []string{`o={"a": [1, {"b": 2.5}]}`}, want: map[string]any{"o": map[string]any{"a": []any{int64(1), map[string]any{"b": 2.5}}}}},
		{name: "bool", pairs: []string{"ok=true"}, want: map[string]any{"ok": true}},
		{name: "key trimmed, later wins", pairs: []string{" k =1", "k=two"}, want: map[string]any{"k": "two"}},
		{name: "no =", pairs: []string{"k"}, wantErr: `invalid --var "k"`},
		{name: "empty key", pairs: []string{"=v"}, wantErr: `invalid --var "=v"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVars(tt.pairs)
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
