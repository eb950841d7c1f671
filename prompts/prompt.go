package prompts

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
)

// Type is the kind of a prompt.
type Type string

// The prompt types.
const (
	// TypeText is a prompt with one template, rendered to a string.
	TypeText Type = "text"
	// TypeChat is a prompt with a list of role/content messages, each
	// content being a template.
	TypeChat Type = "chat"
)

// Message is one chat message: a role (system, user, assistant, …) and its
// content. RenderMessages returns messages with rendered contents; a chat
// Prompt's Messages hold the templates.
type Message struct {
	// Role is the speaker: system, user, assistant, ….
	Role string `json:"role" yaml:"role"`
	// Content is the message text.
	Content string `json:"content" yaml:"content"`
}

// Prompt is one version of a prompt: a name, a label and a version, and
// either a text template (Template) or chat message templates (Messages).
//
// GetPrompt returns a copy that the caller may keep and modify; Render
// always renders the current Template and Messages.
type Prompt struct {
	// Name is the prompt's name, such as "summarize" or "customer/welcome".
	Name string
	// Label is the label of this version, such as "production".
	Label string
	// Version is the version number within the label.
	Version int
	// Type is TypeText or TypeChat; "" means TypeChat when Messages is not
	// empty, else TypeText.
	Type Type
	// File is the file defining the prompt ("" for a Prompt built in code).
	File string
	// Line is the line of the prompt's entry in File.
	Line int
	// Template is the template of a text prompt.
	Template string
	// Messages are the templates of a chat prompt.
	Messages []Message

	// compiled holds the templates compiled when the file was read, shared
	// by the copies GetPrompt returns.
	compiled *compiled
}

// compiled is the compiled form of a prompt's templates, with the sources
// they were compiled from.
type compiled struct {
	text     *exec.Template
	textSrc  string
	messages []*exec.Template
	msgSrc   []Message
}

// kind returns the prompt's effective type.
func (p *Prompt) kind() Type {
	if p.Type == "" {
		if len(p.Messages) > 0 {
			return TypeChat
		}
		return TypeText
	}
	return p.Type
}

// clone returns a copy of p that shares its compiled templates.
func (p *Prompt) clone() *Prompt {
	c := *p
	c.Messages = slices.Clone(p.Messages)
	return &c
}

// Render renders a text prompt with vars. Every variable the template uses
// must be in vars (else a *RenderError naming it); extra variables are
// ignored. Render on a chat prompt fails with ErrWrongType.
func (p *Prompt) Render(vars map[string]any) (string, error) {
	if p == nil {
		return "", errors.New("prompts: Render on a nil Prompt")
	}
	if p.kind() == TypeChat {
		return "", fmt.Errorf("%w: prompt %q is a chat prompt: use RenderMessages", ErrWrongType, p.Name)
	}
	var t *exec.Template
	if p.compiled != nil && p.compiled.text != nil && p.compiled.textSrc == p.Template {
		t = p.compiled.text
	} else {
		var err error
		if t, err = compile(p.Name, p.Template); err != nil {
			return "", p.renderError(0, err)
		}
	}
	out, err := execute(t, vars)
	if err != nil {
		return "", p.renderError(0, err)
	}
	return out, nil
}

// RenderMessages renders the prompt as chat messages: for a chat prompt,
// every message with its content rendered; for a text prompt, one "user"
// message holding Render's result.
func (p *Prompt) RenderMessages(vars map[string]any) ([]Message, error) {
	if p == nil {
		return nil, errors.New("prompts: RenderMessages on a nil Prompt")
	}
	if p.kind() == TypeText {
		text, err := p.Render(vars)
		if err != nil {
			return nil, err
		}
		return []Message{{Role: "user", Content: text}}, nil
	}
	reuse := p.compiled != nil && slices.Equal(p.compiled.msgSrc, p.Messages)
	out := make([]Message, len(p.Messages))
	for i, m := range p.Messages {
		var t *exec.Template
		if reuse {
			t = p.compiled.messages[i]
		} else {
			var err error
			if t, err = compile(p.Name, m.Content); err != nil {
				return nil, p.renderError(i+1, err)
			}
		}
		content, err := execute(t, vars)
		if err != nil {
			return nil, p.renderError(i+1, err)
		}
		out[i] = Message{Role: m.Role, Content: content}
	}
	return out, nil
}

// renderError wraps an engine error of message msg (0 for a text prompt).
func (p *Prompt) renderError(msg int, err error) error {
	return &RenderError{
		Prompt:   p.Name,
		Label:    p.Label,
		Version:  p.Version,
		File:     p.File,
		Message:  msg,
		Variable: missingVariable(err),
		Err:      err,
	}
}

// compileAll compiles the prompt's templates into p.compiled.
func (p *Prompt) compileAll() error {
	c := &compiled{}
	if p.kind() == TypeText {
		t, err := compile(p.Name, p.Template)
		if err != nil {
			return err
		}
		c.text, c.textSrc = t, p.Template
	} else {
		c.messages = make([]*exec.Template, len(p.Messages))
		for i, m := range p.Messages {
			t, err := compile(p.Name, m.Content)
			if err != nil {
				return fmt.Errorf("message %d: %w", i+1, err)
			}
			c.messages[i] = t
		}
		c.msgSrc = slices.Clone(p.Messages)
	}
	p.compiled = c
	return nil
}

// engineConfig is the Jinja2 configuration of every template: Jinja2's
// defaults, with StrictUndefined.
var engineConfig = func() *config.Config {
	c := config.New()
	c.StrictUndefined = true
	return c
}()

// engineEnvironment holds Jinja2's built-in filters, tests, control
// structures, methods and global functions (range, dict, namespace, …),
// kept apart from gonja's package-level defaults.
var engineEnvironment = &exec.Environment{
	Context:           exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables),
	Filters:           builtins.Filters,
	Tests:             builtins.Tests,
	ControlStructures: builtins.ControlStructures,
	Methods:           builtins.Methods,
}

// compile parses a template. The template may not include or import others.
func compile(name, src string) (t *exec.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("template engine panic: %v", r)
		}
	}()
	const id = "prompt"
	t, err = exec.NewTemplate(id, engineConfig, singleLoader{id: id, name: name, src: src}, engineEnvironment)
	if err != nil {
		// gonja wraps the parser's error with the whole source: keep the
		// parser's message.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return nil, fmt.Errorf("template syntax: %w", err)
	}
	return t, nil
}

// execute renders t with vars.
func execute(t *exec.Template, vars map[string]any) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("template engine panic: %v", r)
		}
	}()
	data := make(map[string]any, len(vars))
	for k, v := range vars {
		data[k] = v
	}
	return t.ExecuteToString(exec.NewContext(data))
}

// singleLoader serves one template and refuses every other name, so that
// {% include %} and friends cannot read files.
type singleLoader struct {
	id, name, src string
}

var _ loaders.Loader = singleLoader{}

// Read returns the template's source.
func (l singleLoader) Read(path string) (io.Reader, error) {
	if path != l.id {
		return nil, fmt.Errorf("prompt %q: cannot load template %q: include, import and extends are not supported", l.name, path)
	}
	return strings.NewReader(l.src), nil
}

// Resolve returns path unchanged.
func (l singleLoader) Resolve(path string) (string, error) { return path, nil }

// Inherit returns the loader itself.
func (l singleLoader) Inherit(string) (loaders.Loader, error) { return l, nil }
