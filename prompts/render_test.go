package prompts

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRender(t *testing.T) {
	vars := map[string]any{
		"name":     "alice",
		"items":    []string{"apples", "pears"},
		"user":     map[string]any{"name": "Bob", "tags": []any{"a", "b"}},
		"vip":      true,
		"n":        3,
		"price":    2.5,
		"empty":    "",
		"unicode":  "日本語 ✓",
		"nothing":  nil,
		"document": struct{ Title string }{Title: "Report"},
	}
	tests := []struct {
		name     string
		template string
		want     string
	}{
		{name: "variable", template: "Hello {{name}}!", want: "Hello alice!"},
		{name: "spaces in braces", template: "Hello {{   name   }}!", want: "Hello alice!"},
		{name: "filter", template: "{{ name | title }} {{ name | upper }} {{ items | join(', ') }}", want: "Alice ALICE apples, pears"},
		{name: "chained filters", template: "{{ items | map('upper') | join('+') }} ({{ items | length }})", want: "APPLES+PEARS (2)"},
		{name: "if else", template: "{% if vip %}Dear {{ name }}{% else %}Hi{% endif %}", want: "Dear alice"},
		{name: "elif and comparison", template: "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}", want: "mid"},
		{name: "for loop", template: "{% for i in items %}{{ loop.index }}. {{ i }}\n{% endfor %}", want: "1. apples\n2. pears\n"},
		{name: "loop else", template: "{% for i in [] %}x{% else %}none{% endfor %}", want: "none"},
		{name: "nested attribute", template: "{{ user.name }} / {{ user['name'] }} / {{ user.tags[1] }}", want: "Bob / Bob / b"},
		{name: "struct field", template: "{{ document.Title }}", want: "Report"},
		{name: "set", template: "{% set greeting = 'Hey ' ~ name %}{{ greeting }}", want: "Hey alice"},
		{name: "arithmetic", template: "{{ n * 2 }} {{ price * 2 }}", want: "6 5.0"},
		{name: "default filter for a missing variable", template: "{{ missing | default('n/a') }}", want: "n/a"},
		{name: "is defined", template: "{% if missing is defined %}yes{% else %}no{% endif %}", want: "no"},
		{name: "empty string is falsy", template: "{% if empty %}x{% else %}empty{% endif %}", want: "empty"},
		{name: "nil value renders empty (Jinja2 prints None)", template: "[{{ nothing }}]", want: "[]"},
		{name: "unicode", template: "{{ unicode }} — ok", want: "日本語 ✓ — ok"},
		{name: "multiline keeps inner newlines", template: "line 1\n\n{{ name }}\nline 3", want: "line 1\n\nalice\nline 3"},
		{name: "one trailing newline dropped", template: "{{ name }}\n", want: "alice"},
		{name: "second trailing newline kept", template: "{{ name }}\n\n", want: "alice\n"},
		{name: "comment", template: "a{# note #}b", want: "ab"},
		{name: "whitespace control", template: "a\n{%- if vip %}\nb{% endif %}", want: "a\nb"},
		{name: "no template syntax", template: "plain text", want: "plain text"},
		{name: "empty template", template: "", want: ""},
		{name: "raw block", template: "{% raw %}{{ name }}{% endraw %}", want: "{{ name }}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Prompt{Name: "t", Template: tt.template}
			got, err := p.Render(vars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name         string
		prompt       *Prompt
		vars         map[string]any
		wantVariable string
		wantMessage  int
		wantErr      []string
		missing      bool
	}{
		{name: "missing variable", prompt: &Prompt{Name: "g", Template: "Hello {{ name }}!"}, wantVariable: "name", missing: true, wantErr: []string{`missing variable "name"`}},
		{name: "missing second variable", prompt: &Prompt{Name: "g", Template: "{{ a }} {{ b }}"}, vars: map[string]any{"a": 1}, wantVariable: "b", missing: true},
		{name: "missing variable in a condition", prompt: &Prompt{Name: "g", Template: "{% if flag %}x{% endif %}"}, wantVariable: "flag", missing: true},
		{name: "missing variable in a loop", prompt: &Prompt{Name: "g", Template: "{% for x in items %}{{ x }}{% endfor %}"}, wantVariable: "items", missing: true},
		{name: "missing variable under a filter", prompt: &Prompt{Name: "g", Template: "{{ name | upper }}"}, wantVariable: "name", missing: true},
		{name: "missing attribute", prompt: &Prompt{Name: "g", Template: "{{ user.email }}"}, vars: map[string]any{"user": map[string]any{"name": "x"}}, wantVariable: "user.email", missing: true},
		{name: "missing item", prompt: &Prompt{Name: "g", Template: "{{ user['email'] }}"}, vars: map[string]any{"user": map[string]any{"name": "x"}}, wantVariable: "user['email']", missing: true},
		{name: "missing index", prompt: &Prompt{Name: "g", Template: "{{ items[3] }}"}, vars: map[string]any{"items": []int{1}}, wantVariable: "items[3]", missing: true},
		{
			name:   "missing variable in a chat message",
			prompt: &Prompt{Name: "c", Type: TypeChat, Messages: []Message{{Role: "system", Content: "Help with {{ product }}."}, {Role: "user", Content: "{{ question }}"}}},
			vars:   map[string]any{"product": "P"}, wantVariable: "question", wantMessage: 2, missing: true,
			wantErr: []string{`render "c", message 2: missing variable "question"`},
		},
		{name: "unknown filter", prompt: &Prompt{Name: "g", Template: "{{ 'x' | nosuchfilter }}"}, wantErr: []string{"nosuchfilter"}},
		{name: "include is refused", prompt: &Prompt{Name: "g", Template: "{% include 'other.txt' %}"}, wantErr: []string{"include, import and extends are not supported"}},
		{name: "syntax error in a code-built prompt", prompt: &Prompt{Name: "g", Template: "{{ name "}, wantErr: []string{"template syntax"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.prompt.kind() == TypeChat {
				_, err = tt.prompt.RenderMessages(tt.vars)
			} else {
				_, err = tt.prompt.Render(tt.vars)
			}
			var re *RenderError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.prompt.Name, re.Prompt)
			assert.Equal(t, tt.wantVariable, re.Variable)
			assert.Equal(t, tt.wantMessage, re.Message)
			assert.Equal(t, tt.missing, errors.Is(err, ErrMissingVariable))
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}

	t.Run("names the file, label and version", func(t *testing.T) {
		m := NewManager("testdata/graflow")
		_, err := m.Render("greeting", nil, Label("staging"))
		var re *RenderError
		require.ErrorAs(t, err, &re)
		file := filepath.Join("testdata", "graflow", "greetings.yaml")
		assert.Equal(t, &RenderError{Prompt: "greeting", Label: "staging", Version: 1, File: file, Variable: "name", Err: re.Err}, re)
		assert.Equal(t, `prompts: render "greeting" (label staging, version 1, `+file+`): missing variable "name"`, err.Error())
	})
}

func TestRenderTypes(t *testing.T) {
	chat := &Prompt{Name: "c", Type: TypeChat, Messages: []Message{{Role: "system", Content: "S {{ x }}"}, {Role: "user", Content: "U"}}}
	_, err := chat.Render(map[string]any{"x": 1})
	assert.ErrorIs(t, err, ErrWrongType)
	assert.Contains(t, err.Error(), "use RenderMessages")

	msgs, err := chat.RenderMessages(map[string]any{"x": 1})
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "system", Content: "S 1"}, {Role: "user", Content: "U"}}, msgs)

	// Type "" is inferred from the fields.
	inferred := &Prompt{Name: "i", Messages: []Message{{Role: "user", Content: "{{ x }}"}}}
	msgs, err = inferred.RenderMessages(map[string]any{"x": "y"})
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "user", Content: "y"}}, msgs)
	_, err = inferred.Render(nil)
	assert.ErrorIs(t, err, ErrWrongType)

	text := &Prompt{Name: "t", Template: "{{ x }}"}
	msgs, err = text.RenderMessages(map[string]any{"x": "y"})
	require.NoError(t, err)
	assert.Equal(t, []Message{{Role: "user", Content: "y"}}, msgs)
}

func TestRenderDoesNotModifyVars(t *testing.T) {
	vars := map[string]any{"name": "a"}
	p := &Prompt{Name: "t", Template: "{% set name = 'b' %}{% set other = 1 %}{{ name }}"}
	got, err := p.Render(vars)
	require.NoError(t, err)
	assert.Equal(t, "b", got)
	assert.Equal(t, map[string]any{"name": "a"}, vars)
}
