package prompts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFiles writes files (path relative to dir → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// rewrite replaces a file's content and moves its modification time
// forward, so that the change shows even on coarse-grained clocks.
func rewrite(t *testing.T, path, content string) {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	later := info.ModTime().Add(2 * time.Second)
	require.NoError(t, os.Chtimes(path, later, later))
}

// managerWith returns a manager of a new directory holding files.
func managerWith(t *testing.T, files map[string]string) (*Manager, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	return NewManager(dir), dir
}

const seedText = "content to summarize"

func TestSeedSummarize(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed/summarize.yaml")
	require.NoError(t, err)
	example, err := os.ReadFile("../examples/prompts/summarize.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(seed), string(example), "the example's prompt file is Graflow's, verbatim")

	for _, dir := range []string{"testdata/seed", "../examples/prompts"} {
		t.Run(dir, func(t *testing.T) {
			m := NewManager(dir)
			tests := []struct {
				name        string
				opts        []Option
				vars        map[string]any
				wantLabel   string
				wantVersion int
				want        string
			}{
				{
					name:        "default label is production",
					vars:        map[string]any{"text": seedText, "max_words": 100},
					wantLabel:   "production",
					wantVersion: 1,
					want:        "Summarize the following text in 100 words or less:\n\n" + seedText,
				},
				{
					name:        "production",
					opts:        []Option{Label("production")},
					vars:        map[string]any{"text": seedText, "max_words": 100, "unused": true},
					wantLabel:   "production",
					wantVersion: 1,
					want:        "Summarize the following text in 100 words or less:\n\n" + seedText,
				},
				{
					name:        "development",
					opts:        []Option{Label("development")},
					vars:        map[string]any{"text": seedText},
					wantLabel:   "development",
					wantVersion: 2,
					want:        "[DEV] Summarize: " + seedText,
				},
				{
					name:        "development, explicit version",
					opts:        []Option{Label("development"), Version(2)},
					vars:        map[string]any{"text": seedText},
					wantLabel:   "development",
					wantVersion: 2,
					want:        "[DEV] Summarize: " + seedText,
				},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					p, err := m.GetPrompt("summarize", tt.opts...)
					require.NoError(t, err)
					assert.Equal(t, "summarize", p.Name)
					assert.Equal(t, tt.wantLabel, p.Label)
					assert.Equal(t, tt.wantVersion, p.Version)
					assert.Equal(t, TypeText, p.Type)
					assert.Equal(t, filepath.Join(dir, "summarize.yaml"), p.File)
					got, err := p.Render(tt.vars)
					require.NoError(t, err)
					assert.Equal(t, tt.want, got)

					msgs, err := p.RenderMessages(tt.vars)
					require.NoError(t, err)
					assert.Equal(t, []Message{{Role: "user", Content: tt.want}}, msgs)
				})
			}

			// Graflow's own workflow snippet renders production with text
			// only: max_words is then missing.
			_, err := m.Render("summarize", map[string]any{"text": seedText})
			var re *RenderError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "max_words", re.Variable)
			assert.Equal(t, "summarize", re.Prompt)
			assert.ErrorIs(t, err, ErrMissingVariable)
		})
	}
}

func TestGetPromptGraflowForm(t *testing.T) {
	m := NewManager("testdata/graflow")
	vars := map[string]any{"name": "Alice", "product": "Graflow", "customer": "bob smith", "question": "How?"}
	tests := []struct {
		name        string
		prompt      string
		opts        []Option
		wantLabel   string
		wantVersion int
		wantType    Type
		wantFile    string
		want        []Message
	}{
		{
			name: "default label", prompt: "greeting",
			wantLabel: "production", wantVersion: 2, wantType: TypeText, wantFile: "greetings.yaml",
			want: []Message{{Role: "user", Content: "Hello Alice!"}},
		},
		{
			name: "staging", prompt: "greeting", opts: []Option{Label("staging")},
			wantLabel: "staging", wantVersion: 1, wantType: TypeText, wantFile: "greetings.yaml",
			want: []Message{{Role: "user", Content: "Hi Alice! Testing Graflow."}},
		},
		{
			name: "explicit version and label", prompt: "greeting", opts: []Option{Version(2), Label("production")},
			wantLabel: "production", wantVersion: 2, wantType: TypeText, wantFile: "greetings.yaml",
			want: []Message{{Role: "user", Content: "Hello Alice!"}},
		},
		{
			name: "empty label means production", prompt: "greeting", opts: []Option{Label(""), nil},
			wantLabel: "production", wantVersion: 2, wantType: TypeText, wantFile: "greetings.yaml",
			want: []Message{{Role: "user", Content: "Hello Alice!"}},
		},
		{
			name: "version defaults to 1", prompt: "welcome",
			wantLabel: "production", wantVersion: 1, wantType: TypeText, wantFile: "greetings.yaml",
			want: []Message{{Role: "user", Content: "Hello Alice, welcome to Graflow!"}},
		},
		{
			name: "virtual folder", prompt: "customer/welcome",
			wantLabel: "production", wantVersion: 1, wantType: TypeText, wantFile: "customer/welcome.yaml",
			want: []Message{{Role: "user", Content: "Dear Bob Smith, thank you for choosing us."}},
		},
		{
			name: "chat", prompt: "assistant",
			wantLabel: "production", wantVersion: 3, wantType: TypeChat, wantFile: "greetings.yaml",
			want: []Message{
				{Role: "system", Content: "You are a helpful assistant for Graflow."},
				{Role: "user", Content: "How?"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := m.GetPrompt(tt.prompt, tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.prompt, p.Name)
			assert.Equal(t, tt.wantLabel, p.Label)
			assert.Equal(t, tt.wantVersion, p.Version)
			assert.Equal(t, tt.wantType, p.Type)
			assert.Equal(t, filepath.Join("testdata/graflow", tt.wantFile), p.File)
			assert.Positive(t, p.Line)
			got, err := p.RenderMessages(vars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.wantType == TypeText {
				text, err := p.Render(vars)
				require.NoError(t, err)
				assert.Equal(t, tt.want[0].Content, text)
			}
		})
	}
}

func TestGetPromptErrors(t *testing.T) {
	m := NewManager("testdata/graflow")
	tests := []struct {
		name    string
		prompt  string
		opts    []Option
		check   func(t *testing.T, err error)
		wantMsg string
	}{
		{
			name: "unknown name", prompt: "nope",
			check:   func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrPromptNotFound) },
			wantMsg: `prompts: prompt not found: "nope"`,
		},
		{
			name: "unknown name in a known folder", prompt: "customer/nope",
			check:   func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrPromptNotFound) },
			wantMsg: `prompts: prompt not found: "customer/nope"`,
		},
		{
			name: "unknown folder", prompt: "no/such/folder",
			check:   func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrPromptNotFound) },
			wantMsg: `"no/such/folder"`,
		},
		{
			name: "folder that is a file", prompt: "greetings.yaml/x",
			check:   func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrPromptNotFound) },
			wantMsg: `"greetings.yaml/x"`,
		},
		{
			name: "unknown label", prompt: "greeting", opts: []Option{Label("dev")},
			check: func(t *testing.T, err error) {
				var le *LabelNotFoundError
				require.ErrorAs(t, err, &le)
				assert.Equal(t, &LabelNotFoundError{Name: "greeting", Label: "dev", Available: []string{"production", "staging"}}, le)
				assert.NotErrorIs(t, err, ErrPromptNotFound)
			},
			wantMsg: `prompts: label "dev" not found for prompt "greeting"; available labels: production, staging`,
		},
		{
			name: "unknown version", prompt: "greeting", opts: []Option{Version(1)},
			check: func(t *testing.T, err error) {
				var ve *VersionNotFoundError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, &VersionNotFoundError{Name: "greeting", Label: "production", Version: 1, Available: []int{2}}, ve)
			},
			wantMsg: `prompts: version 1 not found for prompt "greeting" with label "production"; available versions: 2`,
		},
		{
			name: "unknown version with label", prompt: "greeting", opts: []Option{Label("staging"), Version(7)},
			check: func(t *testing.T, err error) {
				var ve *VersionNotFoundError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, 7, ve.Version)
				assert.Equal(t, []int{1}, ve.Available)
			},
			wantMsg: `version 7 not found`,
		},
	}
	for _, bad := range []struct{ name, msg string }{
		{"", "empty name"}, {"/abs", "invalid name"}, {"../up", "invalid name"}, {"a//b", "invalid name"},
		{"a/", "invalid name"}, {"./x", "invalid name"}, {".hidden", "starts with a dot"},
		{"a/.b", "starts with a dot"}, {`a\b`, "invalid name"},
	} {
		tests = append(tests, struct {
			name    string
			prompt  string
			opts    []Option
			check   func(t *testing.T, err error)
			wantMsg string
		}{
			name: fmt.Sprintf("invalid name %q", bad.name), prompt: bad.name,
			check:   func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrPromptNotFound) },
			wantMsg: bad.msg,
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := m.GetPrompt(tt.prompt, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, p)
			tt.check(t, err)
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}

func TestLabelsAndVersions(t *testing.T) {
	m, _ := managerWith(t, map[string]string{
		// list form: several versions per label, out of order
		"release.yaml": `
- label: production
  version: 1
  template: "v1 {{x}}"
- label: production
  version: 3
  template: "v3 {{x}}"
- label: production
  version: 2
  template: "v2 {{x}}"
- label: staging
  version: 2
  template: "s2"
- template: "no label, no version"
  version: 5
`,
		// mapping form: independent versions per label (scenario 98)
		"labels.yml": `
independent:
  labels:
    production: {content: p, version: 5}
    staging: {content: s, version: 2}
    development: {content: d, version: 10}
    plain: {content: one}
# a mapping-form prompt of the same folder adds a label to release
release:
  labels:
    canary: {content: "canary {{x}}", version: 9}
`,
	})
	tests := []struct {
		name        string
		prompt      string
		opts        []Option
		wantVersion int
		want        string
		wantErr     error
	}{
		{name: "highest wins", prompt: "release", opts: []Option{Label("production")}, wantVersion: 5, want: "no label, no version"},
		{name: "explicit version", prompt: "release", opts: []Option{Version(2)}, wantVersion: 2, want: "v2 X"},
		{name: "explicit lowest", prompt: "release", opts: []Option{Version(1)}, wantVersion: 1, want: "v1 X"},
		{name: "other label", prompt: "release", opts: []Option{Label("staging")}, wantVersion: 2, want: "s2"},
		{name: "label from a mapping-form file", prompt: "release", opts: []Option{Label("canary")}, wantVersion: 9, want: "canary X"},
		{
			name: "missing version lists all", prompt: "release", opts: []Option{Version(4)},
			wantErr: &VersionNotFoundError{Name: "release", Label: "production", Version: 4, Available: []int{1, 2, 3, 5}},
		},
		{
			name: "version zero", prompt: "release", opts: []Option{Version(0)},
			wantErr: &VersionNotFoundError{Name: "release", Label: "production", Version: 0, Available: []int{1, 2, 3, 5}},
		},
		{name: "production 5", prompt: "independent", wantVersion: 5, want: "p"},
		{name: "staging 2", prompt: "independent", opts: []Option{Label("staging")}, wantVersion: 2, want: "s"},
		{name: "development 10", prompt: "independent", opts: []Option{Label("development")}, wantVersion: 10, want: "d"},
		{name: "version defaults to 1", prompt: "independent", opts: []Option{Label("plain"), Version(1)}, wantVersion: 1, want: "one"},
		{
			name: "version 1 of a label holding 2", prompt: "independent", opts: []Option{Label("staging"), Version(1)},
			wantErr: &VersionNotFoundError{Name: "independent", Label: "staging", Version: 1, Available: []int{2}},
		},
		{
			name: "labels of both forms listed", prompt: "release", opts: []Option{Label("nope")},
			wantErr: &LabelNotFoundError{Name: "release", Label: "nope", Available: []string{"canary", "production", "staging"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := m.GetPrompt(tt.prompt, tt.opts...)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantVersion, p.Version)
			got, err := p.Render(map[string]any{"x": "X"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestYAMLAnchors(t *testing.T) {
	m, _ := managerWith(t, map[string]string{
		"shared.yaml": `
base: &base
  type: chat
  labels:
    production:
      content:
        - &system {role: system, content: "Be brief about {{ topic }}."}
        - {role: user, content: "{{ q }}"}
copy:
  type: chat
  labels:
    production:
      content:
        - *system
        - {role: user, content: "again: {{ q }}"}
`,
	})
	msgs, err := m.RenderMessages("copy", map[string]any{"topic": "Go", "q": "why?"})
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "system", Content: "Be brief about Go."}, {Role: "user", Content: "again: why?"}}, msgs)
	_, err = m.GetPrompt("base")
	require.NoError(t, err)
}

func TestGetPromptReturnsACopy(t *testing.T) {
	m := NewManager("testdata/graflow")
	p, err := m.GetPrompt("assistant")
	require.NoError(t, err)
	p.Messages[0].Content = "changed {{ product }}"
	p.Label = "mine"
	msgs, err := p.RenderMessages(map[string]any{"product": "P", "question": "Q"})
	require.NoError(t, err)
	assert.Equal(t, "changed P", msgs[0].Content, "Render uses the copy's templates")

	again, err := m.GetPrompt("assistant")
	require.NoError(t, err)
	assert.Equal(t, "You are a helpful assistant for {{ product }}.", again.Messages[0].Content)
	assert.Equal(t, "production", again.Label)

	text, err := m.GetPrompt("greeting")
	require.NoError(t, err)
	text.Template = "Bye {{ name }}"
	got, err := text.Render(map[string]any{"name": "A"})
	require.NoError(t, err)
	assert.Equal(t, "Bye A", got)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		wantLine int
		wantMsg  string
	}{
		{name: "bad YAML", content: "- label: a\n  template: x\n   bad: y\n", wantLine: 3, wantMsg: "mapping values are not allowed in this context"},
		{name: "unterminated string", content: "a:\n  b: 1\n  c: \"unterminated\n  d: 2\n", wantLine: 3, wantMsg: "found unexpected end of stream"},
		{name: "tab indentation", content: "- label: production\n\ttemplate: x\n", wantLine: 2, wantMsg: "tab"},
		{name: "scalar top level", content: "just a string\n", wantLine: 1, wantMsg: "want a list of {label, version, template} entries or a mapping"},
		{name: "list entry not a mapping", content: "- label: production\n  template: x\n- oops\n", wantLine: 3, wantMsg: `entry 2: want a mapping`},
		{name: "version not an integer", content: "- label: a\n  version: two\n  template: x\n", wantLine: 2, wantMsg: `version: want an integer, got "two"`},
		{name: "quoted version", content: "- label: a\n  version: \"2\"\n  template: x\n", wantLine: 2, wantMsg: `version: want an integer`},
		{name: "version zero", content: "- label: a\n  version: 0\n  template: x\n", wantLine: 2, wantMsg: `want a positive integer`},
		{name: "no template", content: "- label: a\n  version: 1\n", wantLine: 1, wantMsg: `no template (or content)`},
		{name: "template and content", content: "- label: a\n  template: x\n  content: y\n", wantLine: 3, wantMsg: `both template and content`},
		{name: "empty label", content: "- label: \"\"\n  template: x\n", wantLine: 1, wantMsg: `empty label`},
		{name: "unquoted braces", content: "- label: a\n  template: {{x}}\n", wantLine: 2, wantMsg: `quote a template`},
		{name: "null template", content: "- label: a\n  template:\n", wantLine: 2, wantMsg: `got nothing`},
		{name: "unknown type", content: "g:\n  type: audio\n  labels: {production: {content: x}}\n", wantLine: 2, wantMsg: `type "audio": want text or chat`},
		{name: "prompt not a mapping", content: "g: hello\n", wantLine: 1, wantMsg: `prompt "g": want a mapping with type and labels`},
		{name: "no labels", content: "g:\n  type: text\n", wantLine: 2, wantMsg: `prompt "g": no labels`},
		{name: "labels not a mapping", content: "g:\n  labels: [a]\n", wantLine: 2, wantMsg: `labels: want a mapping`},
		{name: "label not a mapping", content: "g:\n  labels:\n    production: hi\n", wantLine: 3, wantMsg: `label "production": want a mapping`},
		{name: "label not a string", content: "- label: [a]\n  template: x\n", wantLine: 1, wantMsg: `label: want a string, got a list`},
		{name: "empty prompt name", content: "\"\":\n  labels: {production: {content: x}}\n", wantLine: 1, wantMsg: `prompt name "": empty`},
		{name: "dot prompt name", content: "..:\n  labels: {production: {content: x}}\n", wantLine: 1, wantMsg: `not a name`},
		{name: "key with a slash", content: "a/b:\n  labels: {production: {content: x}}\n", wantLine: 1, wantMsg: `contains a slash`},
		{name: "text type with messages", content: "g:\n  type: text\n  labels:\n    production:\n      content: [{role: user, content: x}]\n", wantLine: 5, wantMsg: `text prompt wants a string template`},
		{name: "chat type with a string", content: "g:\n  type: chat\n  labels:\n    production: {content: x}\n", wantLine: 4, wantMsg: `chat prompt wants a list`},
		{name: "message without role", content: "g:\n  labels:\n    production:\n      content:\n        - content: x\n", wantLine: 5, wantMsg: `message 1: no role`},
		{name: "message without content", content: "g:\n  labels:\n    production:\n      content:\n        - role: user\n", wantLine: 5, wantMsg: `message 1: no content`},
		{name: "empty message list", content: "g:\n  type: chat\n  labels:\n    production:\n      content: []\n", wantLine: 5, wantMsg: `empty message list`},
		{name: "two documents", content: "- template: a\n---\n- template: b\n", wantLine: 2, wantMsg: `more than one YAML document`},
		{name: "template syntax", content: "- label: a\n  template: \"Hello {{ name \"\n", wantLine: 1, wantMsg: `template syntax`},
		{name: "chat template syntax", content: "g:\n  labels:\n    production:\n      content:\n        - {role: user, content: \"{% if %}\"}\n", wantLine: 3, wantMsg: `message 1: template syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, dir := managerWith(t, map[string]string{
				"broken.yaml": tt.content,
				"good.yaml":   "- label: production\n  template: \"good {{x}}\"\n",
				"other.yaml":  "other:\n  labels:\n    production: {content: fine}\n",
			})
			file := filepath.Join(dir, "broken.yaml")

			// the good files still load
			got, err := m.Render("good", map[string]any{"x": 1})
			require.NoError(t, err)
			assert.Equal(t, "good 1", got)
			got, err = m.Render("other", nil)
			require.NoError(t, err)
			assert.Equal(t, "fine", got)

			// a lookup that fails reports the broken file, every time
			for range 2 {
				_, err = m.GetPrompt("broken")
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrPromptNotFound)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, file, pe.File)
				assert.Equal(t, tt.wantLine, pe.Line)
				assert.Contains(t, pe.Error(), tt.wantMsg)
				assert.Contains(t, pe.Error(), fmt.Sprintf("%s:%d: ", file, tt.wantLine))
				assert.NotContains(t, pe.Error(), "yaml: line")
			}
			// also with a known name and an unknown label
			_, err = m.GetPrompt("good", Label("nope"))
			var le *LabelNotFoundError
			assert.ErrorAs(t, err, &le)
			var pe *ParseError
			assert.ErrorAs(t, err, &pe)

			// List returns the good prompts and the problem
			infos, err := m.List()
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, file, pe.File)
			assert.Len(t, infos, 2)

			// fixing the file clears the error
			rewrite(t, file, "- label: production\n  template: fixed\n")
			got, err = m.Render("broken", nil)
			require.NoError(t, err)
			assert.Equal(t, "fixed", got)
			_, err = m.List()
			assert.NoError(t, err)
		})
	}
}

func TestParseErrorInSubfolderIsLocal(t *testing.T) {
	m, dir := managerWith(t, map[string]string{
		"top.yaml":     "- template: top\n",
		"sub/bad.yaml": "- template: [\n",
		"sub/ok.yaml":  "ok:\n  labels: {production: {content: ok}}\n",
	})
	_, err := m.GetPrompt("nope")
	require.ErrorIs(t, err, ErrPromptNotFound)
	var pe *ParseError
	assert.False(t, errors.As(err, &pe), "a broken file of another folder is not reported: %v", err)

	_, err = m.GetPrompt("sub/nope")
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, filepath.Join(dir, "sub", "bad.yaml"), pe.File)

	got, err := m.Render("sub/ok", nil)
	require.NoError(t, err)
	assert.Equal(t, "ok", got)
}

func TestDuplicates(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		prompt   string
		opts     []Option
		wantLocs []Location
	}{
		{
			name: "mapping form in two files",
			files: map[string]string{
				"a.yaml": "greeting:\n  labels:\n    production: {content: A, version: 2}\n",
				"b.yaml": "\ngreeting:\n  labels:\n    production: {content: B, version: 2}\n",
			},
			prompt:   "greeting",
			wantLocs: []Location{{File: "a.yaml", Line: 3}, {File: "b.yaml", Line: 4}},
		},
		{
			name: "list form and mapping form",
			files: map[string]string{
				"greeting.yaml": "- label: production\n  version: 1\n  template: A\n",
				"other.yml":     "greeting:\n  labels:\n    production: {content: B}\n",
			},
			prompt:   "greeting",
			wantLocs: []Location{{File: "greeting.yaml", Line: 1}, {File: "other.yml", Line: 3}},
		},
		{
			name: ".yaml and .yml of one name",
			files: map[string]string{
				"sub/s.yaml": "- template: A\n",
				"sub/s.yml":  "- template: B\n",
			},
			prompt:   "sub/s",
			wantLocs: []Location{{File: "sub/s.yaml", Line: 1}, {File: "sub/s.yml", Line: 1}},
		},
		{
			name: "twice in one file",
			files: map[string]string{
				"s.yaml": "- template: A\n- label: staging\n  template: S\n- template: B\n",
			},
			prompt:   "s",
			wantLocs: []Location{{File: "s.yaml", Line: 1}, {File: "s.yaml", Line: 4}},
		},
		{
			name: "explicit version",
			files: map[string]string{
				"s.yaml": "- template: A\n- template: B\n- version: 2\n  template: C\n",
			},
			prompt:   "s",
			opts:     []Option{Version(1)},
			wantLocs: []Location{{File: "s.yaml", Line: 1}, {File: "s.yaml", Line: 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, dir := managerWith(t, tt.files)
			for i := range tt.wantLocs {
				tt.wantLocs[i].File = filepath.Join(dir, filepath.FromSlash(tt.wantLocs[i].File))
			}
			_, err := m.GetPrompt(tt.prompt, tt.opts...)
			var de *DuplicateError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.prompt, de.Name)
			assert.Equal(t, "production", de.Label)
			assert.Equal(t, tt.wantLocs, de.Locations)
			for _, l := range tt.wantLocs {
				assert.Contains(t, err.Error(), l.String())
			}
			assert.Contains(t, err.Error(), "is defined more than once")

			infos, err := m.List()
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.wantLocs, de.Locations)
			assert.NotEmpty(t, infos)
		})
	}

	t.Run("other versions are not ambiguous", func(t *testing.T) {
		m, _ := managerWith(t, map[string]string{
			"s.yaml": "- template: A\n- template: B\n- version: 2\n  template: C\n",
		})
		got, err := m.Render("s", nil)
		require.NoError(t, err)
		assert.Equal(t, "C", got)
	})
}

func TestList(t *testing.T) {
	infos, err := NewManager("testdata/graflow").List()
	require.NoError(t, err)
	f := filepath.Join("testdata", "graflow", "greetings.yaml")
	assert.Equal(t, []PromptInfo{
		{Name: "assistant", Label: "production", Version: 3, Type: TypeChat, File: f, Line: 22},
		{Name: "customer/welcome", Label: "production", Version: 1, Type: TypeText, File: filepath.Join("testdata", "graflow", "customer", "welcome.yaml"), Line: 3},
		{Name: "greeting", Label: "production", Version: 2, Type: TypeText, File: f, Line: 5},
		{Name: "greeting", Label: "staging", Version: 1, Type: TypeText, File: f, Line: 10},
		{Name: "welcome", Label: "production", Version: 1, Type: TypeText, File: f, Line: 16},
	}, infos)

	t.Run("hidden and non-YAML files are skipped", func(t *testing.T) {
		m, _ := managerWith(t, map[string]string{
			"a.yaml":            "- template: a\n",
			"notes.txt":         "- template: not a prompt\n",
			".hidden.yaml":      "- template: hidden\n",
			".git/x.yaml":       "- template: hidden\n",
			"deep/er/b.YML":     "- template: b\n",
			"empty.yaml":        "",
			"comments.yaml":     "# nothing yet\n",
			"deep/er/null.yaml": "~\n",
		})
		infos, err := m.List()
		require.NoError(t, err)
		var names []string
		for _, i := range infos {
			names = append(names, i.Name)
		}
		assert.Equal(t, []string{"a", "deep/er/b"}, names)
	})

	t.Run("missing directory", func(t *testing.T) {
		infos, err := NewManager(filepath.Join(t.TempDir(), "nope")).List()
		assert.NoError(t, err)
		assert.Empty(t, infos)
	})
}

func TestMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	m := NewManager(dir)
	for _, name := range []string{"greeting", "a/b"} {
		_, err := m.GetPrompt(name)
		assert.ErrorIs(t, err, ErrPromptNotFound)
	}
	// the directory appears later
	writeFiles(t, dir, map[string]string{"greeting.yaml": "- template: hi\n"})
	got, err := m.Render("greeting", nil)
	require.NoError(t, err)
	assert.Equal(t, "hi", got)
}

func TestDefaultDirectory(t *testing.T) {
	envDir := t.TempDir()
	writeFiles(t, envDir, map[string]string{"p.yaml": "- template: from env\n"})
	cwd := t.TempDir()
	writeFiles(t, cwd, map[string]string{"prompts/p.yaml": "- template: from cwd\n"})
	t.Chdir(cwd)

	tests := []struct {
		name    string
		env     string
		manager func() *Manager
		wantDir string
		want    string
	}{
		{name: "env", env: envDir, manager: func() *Manager { return NewManager("") }, wantDir: envDir, want: "from env"},
		{name: "./prompts", manager: func() *Manager { return NewManager("") }, wantDir: "prompts", want: "from cwd"},
		{name: "zero Manager with env", env: envDir, manager: func() *Manager { return &Manager{} }, wantDir: envDir, want: "from env"},
		{name: "zero Manager", manager: func() *Manager { return new(Manager) }, wantDir: "prompts", want: "from cwd"},
		{name: "explicit dir beats env", env: envDir, manager: func() *Manager { return NewManager("prompts") }, wantDir: "prompts", want: "from cwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvDir, tt.env)
			m := tt.manager()
			assert.Equal(t, tt.wantDir, m.Dir())
			got, err := m.Render("p", nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.env != "" {
				assert.Equal(t, tt.env, DefaultDir())
			} else {
				assert.Equal(t, "prompts", DefaultDir())
			}
		})
	}
}

func TestNewManagerFS(t *testing.T) {
	fsys := fstest.MapFS{
		"summarize.yaml":    {Data: []byte("- template: \"S {{ text }}\"\n")},
		"team/support.yaml": {Data: []byte("reply:\n  labels:\n    production: {content: \"R {{ text }}\"}\n")},
		"team/broken.yaml":  {Data: []byte("- [\n")},
	}
	m := NewManagerFS(fsys)
	assert.Empty(t, m.Dir())
	got, err := m.Render("summarize", map[string]any{"text": "t"})
	require.NoError(t, err)
	assert.Equal(t, "S t", got)
	p, err := m.GetPrompt("team/reply")
	require.NoError(t, err)
	assert.Equal(t, "team/support.yaml", p.File)

	_, err = m.GetPrompt("team/nope")
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "team/broken.yaml", pe.File)

	infos, err := m.List()
	require.Error(t, err)
	assert.Len(t, infos, 2)

	_, err = NewManagerFS(nil).GetPrompt("x")
	assert.ErrorIs(t, err, ErrPromptNotFound)
	infos, err = NewManagerFS(nil).List()
	assert.NoError(t, err)
	assert.Empty(t, infos)
}

func TestNilReceivers(t *testing.T) {
	var m *Manager
	_, err := m.GetPrompt("x")
	assert.Error(t, err)
	_, err = m.List()
	assert.Error(t, err)
	assert.Empty(t, m.Dir())
	var p *Prompt
	_, err = p.Render(nil)
	assert.Error(t, err)
	_, err = p.RenderMessages(nil)
	assert.Error(t, err)
}

func TestReload(t *testing.T) {
	m, dir := managerWith(t, map[string]string{
		"greeting.yaml": "- template: \"Hello {{ name }}!\"\n",
	})
	file := filepath.Join(dir, "greeting.yaml")
	render := func(name string) (string, error) {
		return m.Render(name, map[string]any{"name": "Ann"})
	}
	got, err := render("greeting")
	require.NoError(t, err)
	assert.Equal(t, "Hello Ann!", got)

	t.Run("cached while modification time and size stay", func(t *testing.T) {
		info, err := os.Stat(file)
		require.NoError(t, err)
		same := "- template: \"Howdy {{ name }}!\"\n"
		require.Len(t, same, int(info.Size()))
		require.NoError(t, os.WriteFile(file, []byte(same), 0o644))
		require.NoError(t, os.Chtimes(file, info.ModTime(), info.ModTime()))
		got, err := render("greeting")
		require.NoError(t, err)
		assert.Equal(t, "Hello Ann!", got)
	})

	t.Run("edited file is read again", func(t *testing.T) {
		rewrite(t, file, "- template: \"Good morning, {{ name }}.\"\n")
		got, err := render("greeting")
		require.NoError(t, err)
		assert.Equal(t, "Good morning, Ann.", got)
	})

	t.Run("size change alone is seen", func(t *testing.T) {
		info, err := os.Stat(file)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, []byte("- template: \"Hi {{ name }}\"\n"), 0o644))
		require.NoError(t, os.Chtimes(file, info.ModTime(), info.ModTime()))
		got, err := render("greeting")
		require.NoError(t, err)
		assert.Equal(t, "Hi Ann", got)
	})

	t.Run("new file is picked up", func(t *testing.T) {
		_, err := render("farewell")
		require.ErrorIs(t, err, ErrPromptNotFound)
		writeFiles(t, dir, map[string]string{"farewell.yaml": "- template: \"Bye {{ name }}\"\n"})
		got, err := render("farewell")
		require.NoError(t, err)
		assert.Equal(t, "Bye Ann", got)
	})

	t.Run("new label in a new file of the folder", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"more.yaml": "greeting:\n  labels:\n    staging: {content: \"Yo {{ name }}\"}\n"})
		got, err := m.Render("greeting", map[string]any{"name": "Ann"}, Label("staging"))
		require.NoError(t, err)
		assert.Equal(t, "Yo Ann", got)
	})

	t.Run("deleted file is dropped", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, "farewell.yaml")))
		_, err := render("farewell")
		assert.ErrorIs(t, err, ErrPromptNotFound)
		require.NoError(t, os.Remove(filepath.Join(dir, "more.yaml")))
		_, err = m.GetPrompt("greeting", Label("staging"))
		var le *LabelNotFoundError
		assert.ErrorAs(t, err, &le)
	})

	t.Run("deleted folder is dropped", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"sub/x.yaml": "- template: x\n"})
		infos, err := m.List()
		require.NoError(t, err)
		assert.Len(t, infos, 2)
		require.NoError(t, os.RemoveAll(filepath.Join(dir, "sub")))
		infos, err = m.List()
		require.NoError(t, err)
		assert.Len(t, infos, 1)
		_, err = m.GetPrompt("sub/x")
		assert.ErrorIs(t, err, ErrPromptNotFound)
	})
}

func TestConcurrentLookupsAndEdits(t *testing.T) {
	m, dir := managerWith(t, map[string]string{
		"greeting.yaml": "- template: \"v0 {{ name }}\"\n",
		"sub/s.yaml":    "s:\n  type: chat\n  labels:\n    production:\n      content: [{role: user, content: \"{{ name }}\"}]\n",
	})
	file := filepath.Join(dir, "greeting.yaml")
	const (
		readers = 8
		edits   = 40
	)
	var (
		wg   sync.WaitGroup
		stop = make(chan struct{})
		errs = make(chan error, readers*4)
	)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := m.Render("greeting", map[string]any{"name": i})
				if err != nil || !strings.HasPrefix(got, "v") || !strings.HasSuffix(got, fmt.Sprint(" ", i)) {
					errs <- fmt.Errorf("greeting: %q, %v", got, err)
					return
				}
				msgs, err := m.RenderMessages("sub/s", map[string]any{"name": "n"})
				if err != nil || len(msgs) != 1 || msgs[0].Content != "n" {
					errs <- fmt.Errorf("sub/s: %v, %v", msgs, err)
					return
				}
				if i%4 == 0 {
					if _, err := m.List(); err != nil {
						errs <- fmt.Errorf("list: %w", err)
						return
					}
				}
			}
		}()
	}
	for n := 1; n <= edits; n++ {
		// Deployments replace prompt files atomically (write, then
		// rename): a reader never sees a half-written file.
		tmp := filepath.Join(dir, ".greeting.tmp")
		require.NoError(t, os.WriteFile(tmp, []byte(fmt.Sprintf("- template: \"v%d {{ name }}\"\n", n)), 0o644))
		later := time.Now().Add(time.Duration(n) * time.Second)
		require.NoError(t, os.Chtimes(tmp, later, later))
		require.NoError(t, os.Rename(tmp, file))
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := m.Render("greeting", map[string]any{"name": "x"})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("v%d x", edits), got)
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "label", err: &LabelNotFoundError{Name: "g", Label: "x", Available: []string{"a", "b"}}, want: `prompts: label "x" not found for prompt "g"; available labels: a, b`},
		{name: "version", err: &VersionNotFoundError{Name: "g", Label: "p", Version: 3, Available: []int{1, 2}}, want: `prompts: version 3 not found for prompt "g" with label "p"; available versions: 1, 2`},
		{name: "parse with line", err: &ParseError{File: "p/a.yaml", Line: 4, Err: errors.New("yaml: line 4: did not find expected key")}, want: `prompts: p/a.yaml:4: did not find expected key`},
		{name: "parse without line", err: &ParseError{File: "p/a.yaml", Err: errors.New("permission denied")}, want: `prompts: p/a.yaml: permission denied`},
		{name: "parse without cause", err: &ParseError{File: "p/a.yaml"}, want: `prompts: p/a.yaml: <nil>`},
		{
			name: "duplicate",
			err:  &DuplicateError{Name: "g", Label: "production", Version: 2, Locations: []Location{{File: "a.yaml", Line: 3}, {File: "b.yaml"}}},
			want: `prompts: prompt "g" label "production" version 2 is defined more than once: a.yaml:3 and b.yaml`,
		},
		{
			name: "render missing variable",
			err:  &RenderError{Prompt: "g", Label: "production", Version: 2, File: "a.yaml", Variable: "name", Err: errors.New("x")},
			want: `prompts: render "g" (label production, version 2, a.yaml): missing variable "name"`,
		},
		{
			name: "render chat message",
			err:  &RenderError{Prompt: "c", Message: 2, Err: errors.New("unable to execute template: boom")},
			want: `prompts: render "c", message 2: boom`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
	cause := errors.New("cause")
	assert.ErrorIs(t, &ParseError{Err: cause}, cause)
	assert.ErrorIs(t, &RenderError{Err: cause}, cause)
	assert.NotErrorIs(t, &RenderError{Err: cause}, ErrMissingVariable)
	assert.ErrorIs(t, &RenderError{Variable: "v", Err: cause}, ErrMissingVariable)
}
